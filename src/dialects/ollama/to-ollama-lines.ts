import type { AnswerEvent, AnswerToolCall } from '../../chat/answer.ts';
import type { Usage } from '../../chat/wire.ts';
import type { Clock } from '../../clock.ts';
import type { StreamTiming } from '../../core/routed-chat.ts';
import type { Stage } from '../../streams/stage.ts';
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
export function toOllamaMetrics(timing: StreamTiming, firstTokenAt: number, end: number, usage: Usage | undefined, contentEvents: number): OllamaMetrics {
  return {
    total_duration: toNanos(end - timing.startedAt),
    load_duration: toNanos(timing.headersAt - timing.startedAt),
    prompt_eval_count: usage?.prompt_tokens ?? 0,
    prompt_eval_duration: toNanos(firstTokenAt - timing.headersAt),
    eval_count: usage?.completion_tokens ?? contentEvents,
    eval_duration: toNanos(end - firstTokenAt),
  };
}

/** Whole answer tool calls as Ollama's (arguments parsed to objects). */
export function toOllamaToolCallsFrom(calls: readonly AnswerToolCall[]): OllamaToolCall[] {
  return toOllamaToolCalls(calls.map((call) => ({ id: call.id, function: { name: call.name, arguments: call.arguments } })));
}

/**
 * Answer event batches → Ollama line batches (a stage). Content and thinking pass through as they
 * come; whole tool calls are emitted together in one line, as Ollama does. The `finish` event (or,
 * failing one, `flush`) ends the stream with one `done: true` object carrying real timings, unless an
 * error line already ended it.
 */
export function ollamaLineStage(format: OllamaLineFormat, timing: StreamTiming, clock: Clock): Stage<AnswerEvent[], OllamaLine[]> {
  let calls: AnswerToolCall[] = [];
  let firstTokenAt: number | undefined;
  let contentEvents = 0;
  let ended = false;

  const takeToolCalls = (lines: OllamaLine[], createdAt: string): void => {
    if (calls.length === 0) return;
    const whole = calls;
    calls = [];
    try {
      lines.push(format.delta(createdAt, { content: '', toolCalls: toOllamaToolCallsFrom(whole) }));
    } catch (error) {
      ended = true;
      lines.push({ error: (error as Error).message });
    }
  };
  const final = (lines: OllamaLine[], createdAt: string, finishReason: string | null, usage: Usage | undefined): void => {
    takeToolCalls(lines, createdAt);
    if (ended) return;
    ended = true;
    const end = clock.monotonic();
    lines.push(format.final(createdAt, toOllamaDoneReason(finishReason), toOllamaMetrics(timing, firstTokenAt ?? end, end, usage, contentEvents)));
  };

  const convert = (event: AnswerEvent, lines: OllamaLine[], createdAt: string): void => {
    switch (event.type) {
      case 'text':
      case 'reasoning':
        takeToolCalls(lines, createdAt);
        firstTokenAt ??= clock.monotonic();
        contentEvents++;
        lines.push(format.delta(createdAt, event.type === 'text' ? { content: event.text } : { content: '', thinking: event.text }));
        return;
      case 'tool-call-end':
        firstTokenAt ??= clock.monotonic();
        calls.push(event.call);
        return;
      case 'finish':
        return final(lines, createdAt, event.reason, event.usage);
      case 'error':
        ended = true;
        lines.push({ error: event.error.message });
        return;
      default:
        return;
    }
  };

  return {
    transform(events, sink) {
      // One timestamp per batch: the events of one network read arrived together.
      const createdAt = new Date(clock.wall()).toISOString();
      const lines: OllamaLine[] = [];
      for (const event of events) {
        if (ended) break;
        convert(event, lines, createdAt);
      }
      if (!ended) takeToolCalls(lines, createdAt);
      if (lines.length > 0) sink.enqueue(lines);
    },
    flush(sink) {
      if (ended) return;
      const lines: OllamaLine[] = [];
      final(lines, new Date(clock.wall()).toISOString(), null, undefined);
      sink.enqueue(lines);
    },
  };
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
