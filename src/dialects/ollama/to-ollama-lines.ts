import type { ChatPart, StreamTiming } from '../../chat/parts.ts';
import { createToolCallBuffer, type AssembledToolCall } from '../../chat/tool-calls.ts';
import type { Usage } from '../../chat/wire.ts';
import type { Clock } from '../../clock.ts';
import { toTransformer, type Stage } from '../../streams/stage.ts';
import { toOllamaDoneReason, toOllamaToolCalls } from './to-ollama.ts';
import type { OllamaMetrics, OllamaToolCall } from './types.ts';

export type OllamaLine = Record<string, unknown>;

/** How one API (chat or generate) spells its stream lines. */
export interface OllamaLineFormat {
  delta(createdAt: string, fields: OllamaAnswerFields): OllamaLine;
  final(createdAt: string, doneReason: string, metrics: OllamaMetrics): OllamaLine;
  /** The one object a `stream: false` client gets: the whole answer and the final fields. */
  whole(createdAt: string, fields: OllamaAnswerFields, doneReason: string, metrics: OllamaMetrics): OllamaLine;
}

/** What one line (or a whole answer) says. */
export interface OllamaAnswerFields {
  content: string;
  thinking?: string;
  toolCalls?: OllamaToolCall[];
}

const toNanos = (ms: number): number => Math.max(1, Math.round(ms * 1e6));

/** The metrics of a finished answer: real durations, and the upstream's token counts (else chunks counted). */
export function toOllamaMetrics(timing: StreamTiming, firstTokenAt: number, end: number, usage: Usage | undefined, contentChunks: number): OllamaMetrics {
  return {
    total_duration: toNanos(end - timing.startedAt),
    load_duration: toNanos(timing.headersAt - timing.startedAt),
    prompt_eval_count: usage?.prompt_tokens ?? 0,
    prompt_eval_duration: toNanos(firstTokenAt - timing.headersAt),
    eval_count: usage?.completion_tokens ?? contentChunks,
    eval_duration: toNanos(end - firstTokenAt),
  };
}

/** Whole upstream tool calls as Ollama's (arguments parsed to objects). */
export function toOllamaToolCallsFrom(calls: readonly AssembledToolCall[]): OllamaToolCall[] {
  return toOllamaToolCalls(calls.map((call) => ({ id: call.id, function: { name: call.name, arguments: call.arguments } })));
}

/**
 * Chat part batches → Ollama line batches (a stage). Content and thinking pass through as they come;
 * tool-call fragments are assembled by index and emitted whole. `flush` always ends the stream
 * with one `done: true` object carrying real timings, unless an error line already ended it.
 */
export function ollamaLineStage(format: OllamaLineFormat, timing: StreamTiming, clock: Clock): Stage<ChatPart[], OllamaLine[]> {
  const toolCalls = createToolCallBuffer();
  let finishReason: string | null | undefined;
  let usage: Usage | undefined;
  let firstTokenAt: number | undefined;
  let contentChunks = 0;
  let failed = false;

  const takeToolCalls = (lines: OllamaLine[], createdAt: string): void => {
    if (toolCalls.size === 0) return;
    const calls = toolCalls.take();
    try {
      lines.push(format.delta(createdAt, { content: '', toolCalls: toOllamaToolCallsFrom(calls) }));
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
      if (delta?.tool_calls) toolCalls.add(delta.tool_calls);
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
        lines.push(format.final(createdAt, toOllamaDoneReason(finishReason), toOllamaMetrics(timing, first, end, usage, contentChunks)));
      }
      sink.enqueue(lines);
    },
  };
}

/** The Ollama-line stage as a TransformStream. */
export class OllamaLineStream extends TransformStream<ChatPart[], OllamaLine[]> {
  constructor(format: OllamaLineFormat, timing: StreamTiming, clock: Clock) {
    super(toTransformer(ollamaLineStage(format, timing, clock)));
  }
}

/** Ollama `/api/chat` lines. */
export function chatLineFormat(model: string): OllamaLineFormat {
  const message = ({ content, thinking, toolCalls }: OllamaAnswerFields) => ({
    role: 'assistant',
    content,
    ...(thinking ? { thinking } : {}),
    ...(toolCalls && toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
  });
  return {
    delta: (created_at, fields) => ({ model, created_at, message: message(fields), done: false }),
    final: (created_at, done_reason, metrics) => ({ model, created_at, message: { role: 'assistant', content: '' }, done: true, done_reason, ...metrics }),
    whole: (created_at, fields, done_reason, metrics) => ({ model, created_at, message: message(fields), done: true, done_reason, ...metrics }),
  };
}

/** Ollama `/api/generate` lines. */
export function generateLineFormat(model: string): OllamaLineFormat {
  return {
    delta: (created_at, { content, thinking }) => ({ model, created_at, response: content, ...(thinking ? { thinking } : {}), done: false }),
    final: (created_at, done_reason, metrics) => ({ model, created_at, response: '', done: true, done_reason, ...metrics }),
    whole: (created_at, { content, thinking }, done_reason, metrics) => ({ model, created_at, response: content, ...(thinking ? { thinking } : {}), done: true, done_reason, ...metrics }),
  };
}
