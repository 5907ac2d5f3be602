import { toOllamaDoneReason, toOllamaToolCalls } from '../convert/to-ollama.ts';
import type { OllamaMetrics, OllamaToolCall } from '../convert/ollama-types.ts';
import type { ToolCallDelta, Usage } from '../openrouter/types.ts';
import type { ChatPart } from './chat-parts.ts';
import { toTransformer, type Stage } from './stage.ts';

export type OllamaLine = Record<string, unknown>;

/** How one API (chat or generate) spells its stream lines. */
export interface OllamaLineFormat {
  delta(createdAt: string, fields: { content: string; thinking?: string; toolCalls?: OllamaToolCall[] }): OllamaLine;
  final(createdAt: string, doneReason: string, metrics: OllamaMetrics): OllamaLine;
}

/** Monotonic milliseconds (for durations) and wall-clock milliseconds (for timestamps). */
export interface StreamClock {
  monotonic(): number;
  wall(): number;
}

export interface StreamTiming {
  /** When the proxy received the request (monotonic ms). */
  startedAt: number;
  /** When the upstream answered with headers (monotonic ms). */
  headersAt: number;
}

interface PendingToolCall {
  id?: string;
  name: string;
  arguments: string;
}

const toNanos = (ms: number): number => Math.max(1, Math.round(ms * 1e6));

/**
 * Chat part batches → Ollama line batches (a stage). Content and thinking pass through as they come;
 * tool-call fragments are assembled by index and emitted whole. `flush` always ends the stream
 * with one `done: true` object carrying real timings, unless an error line already ended it.
 */
export function ollamaLineStage(format: OllamaLineFormat, timing: StreamTiming, clock: StreamClock): Stage<ChatPart[], OllamaLine[]> {
  const toolCalls = new Map<number, PendingToolCall>();
  let finishReason: string | null | undefined;
  let usage: Usage | undefined;
  let firstTokenAt: number | undefined;
  let contentChunks = 0;
  let failed = false;

  const takeToolCalls = (lines: OllamaLine[], createdAt: string): void => {
    if (toolCalls.size === 0) return;
    const ordered = [...toolCalls.entries()].sort(([a], [b]) => a - b).map(([, call]) => ({ id: call.id, function: { name: call.name, arguments: call.arguments } }));
    toolCalls.clear();
    try {
      lines.push(format.delta(createdAt, { content: '', toolCalls: toOllamaToolCalls(ordered) }));
    } catch (error) {
      failed = true;
      lines.push({ error: (error as Error).message });
    }
  };

  const convert = (part: ChatPart, lines: OllamaLine[], createdAt: string): void => {
    if (part.type === 'error') {
      failed = true;
      lines.push({ error: part.error.message });
      return;
    }
    const { chunk } = part;
    if (chunk.usage) usage = chunk.usage;
    for (const choice of chunk.choices ?? []) {
      const delta = choice.delta;
      if (delta?.tool_calls) collectToolCalls(toolCalls, delta.tool_calls);
      const content = delta?.content ?? '';
      const thinking = delta?.reasoning ?? '';
      if (content !== '' || thinking !== '') {
        firstTokenAt ??= clock.monotonic();
        contentChunks++;
        lines.push(format.delta(createdAt, thinking === '' ? { content } : { content, thinking }));
      }
      if (choice.finish_reason) {
        finishReason = choice.finish_reason;
        firstTokenAt ??= clock.monotonic();
        takeToolCalls(lines, createdAt);
      }
    }
  };

  return {
    transform(parts, sink) {
      // One timestamp per batch: the parts of one network read arrived together.
      const createdAt = new Date(clock.wall()).toISOString();
      const lines: OllamaLine[] = [];
      for (const part of parts) {
        if (failed) break;
        convert(part, lines, createdAt);
      }
      if (lines.length > 0) sink.enqueue(lines);
    },
    flush(sink) {
      if (failed) return;
      const createdAt = new Date(clock.wall()).toISOString();
      const lines: OllamaLine[] = [];
      takeToolCalls(lines, createdAt);
      if (!failed) {
        const end = clock.monotonic();
        const first = firstTokenAt ?? end;
        lines.push(
          format.final(createdAt, toOllamaDoneReason(finishReason), {
            total_duration: toNanos(end - timing.startedAt),
            load_duration: toNanos(timing.headersAt - timing.startedAt),
            prompt_eval_count: usage?.prompt_tokens ?? 0,
            prompt_eval_duration: toNanos(first - timing.headersAt),
            eval_count: usage?.completion_tokens ?? contentChunks,
            eval_duration: toNanos(end - first),
          }),
        );
      }
      sink.enqueue(lines);
    },
  };
}

/** The Ollama-line stage as a TransformStream. */
export class OllamaLineStream extends TransformStream<ChatPart[], OllamaLine[]> {
  constructor(format: OllamaLineFormat, timing: StreamTiming, clock: StreamClock) {
    super(toTransformer(ollamaLineStage(format, timing, clock)));
  }
}

/**
 * The buffer a fragment belongs to. OpenRouter always sends `index`; some OpenAI-compatible
 * providers leave it out, and then a new id starts a new call while a fragment without one
 * continues the latest call.
 */
function bufferIndex(calls: Map<number, PendingToolCall>, delta: ToolCallDelta): number {
  if (typeof delta.index === 'number') return delta.index;
  const known = [...calls.entries()].find(([, call]) => delta.id !== undefined && call.id === delta.id);
  if (known !== undefined) return known[0];
  const latest = Math.max(-1, ...calls.keys());
  return delta.id !== undefined || latest === -1 ? latest + 1 : latest;
}

function collectToolCalls(calls: Map<number, PendingToolCall>, deltas: readonly ToolCallDelta[]): void {
  for (const delta of deltas) {
    const index = bufferIndex(calls, delta);
    const call = calls.get(index) ?? { name: '', arguments: '' };
    if (delta.id) call.id = delta.id;
    if (delta.function?.name) call.name = call.name === '' ? delta.function.name : call.name;
    if (delta.function?.arguments) call.arguments += delta.function.arguments;
    calls.set(index, call);
  }
}

/** Ollama `/api/chat` lines. */
export function chatLineFormat(model: string): OllamaLineFormat {
  return {
    delta: (created_at, { content, thinking, toolCalls }) => ({
      model,
      created_at,
      message: { role: 'assistant', content, ...(thinking ? { thinking } : {}), ...(toolCalls ? { tool_calls: toolCalls } : {}) },
      done: false,
    }),
    final: (created_at, done_reason, metrics) => ({ model, created_at, message: { role: 'assistant', content: '' }, done: true, done_reason, ...metrics }),
  };
}

/** Ollama `/api/generate` lines. */
export function generateLineFormat(model: string): OllamaLineFormat {
  return {
    delta: (created_at, { content, thinking }) => ({ model, created_at, response: content, ...(thinking ? { thinking } : {}), done: false }),
    final: (created_at, done_reason, metrics) => ({ model, created_at, response: '', done: true, done_reason, ...metrics }),
  };
}
