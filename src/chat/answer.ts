// The neutral answer vocabulary: what a model said, in events that know no client API and no
// provider's wire format. The OpenRouter boundary (openrouter/answer-stage.ts) is the one place that
// reads OpenRouter's chunks and produces these; every dialect encodes them, and a whole answer is one
// fold over them (`createAnswerFold`). Compare the Vercel AI SDK's language-model stream parts.
import type { UpstreamError } from '../errors.ts';
import type { Usage } from './wire.ts';

/** A tool call as the model made it: the upstream's index, its id (when the provider sent one), name and arguments (JSON text). */
export interface AnswerToolCall {
  index: number;
  id?: string;
  name: string;
  arguments: string;
}

/** Who answered, as the upstream named it (the `/v1` legacy completion echoes these). */
export interface AnswerMetadata {
  id?: string;
  model?: string;
  /** Epoch seconds. */
  created?: number;
}

/**
 * One event of an answer. Order: `metadata` at most once and first; text, reasoning and tool calls
 * as they come (a call is start, deltas, end; calls may interleave by index); `finish` exactly once
 * at a clean end; `error` instead of `finish` when the answer fails, always last. `raw` precedes the
 * events read from one upstream chunk and carries its exact JSON, for the byte-exact `/v1` relay;
 * every other consumer ignores it.
 */
export type AnswerEvent =
  | ({ type: 'metadata' } & AnswerMetadata)
  | { type: 'text'; text: string }
  | { type: 'reasoning'; text: string }
  | { type: 'tool-call-start'; index: number; id?: string; name: string }
  | { type: 'tool-call-delta'; index: number; arguments: string }
  | { type: 'tool-call-end'; call: AnswerToolCall }
  | { type: 'finish'; reason: string | null; nativeReason?: string | null; usage?: Usage }
  | { type: 'error'; error: UpstreamError }
  | { type: 'raw'; data: string };

/** The events a client would see: anything but the relay's raw chunks and the metadata. */
export function isContentEvent(event: AnswerEvent): boolean {
  return event.type !== 'raw' && event.type !== 'metadata';
}

/** A whole answer: one fold over its events. */
export interface CollectedAnswer {
  metadata: AnswerMetadata;
  text: string;
  reasoning: string;
  /** Whole calls in the order they ended. */
  toolCalls: AnswerToolCall[];
  finishReason: string | null;
  nativeFinishReason?: string | null;
  usage?: Usage;
  /** How many text and reasoning events arrived (Ollama's `eval_count` when the upstream reports no usage). */
  contentEvents: number;
}

/** An incremental fold: events go in as they arrive, so a long answer is never held as events. */
export interface AnswerFold {
  add(events: readonly AnswerEvent[]): void;
  /** The answer so far. */
  result(): CollectedAnswer;
}

/** Starts an empty fold. Errors are not folded: whoever reads the events decides what an error means. */
export function createAnswerFold(): AnswerFold {
  const answer: CollectedAnswer = { metadata: {}, text: '', reasoning: '', toolCalls: [], finishReason: null, contentEvents: 0 };
  const add = (event: AnswerEvent): void => {
    switch (event.type) {
      case 'metadata':
        answer.metadata = { ...(event.id !== undefined ? { id: event.id } : {}), ...(event.model !== undefined ? { model: event.model } : {}), ...(event.created !== undefined ? { created: event.created } : {}) };
        return;
      case 'text':
        answer.text += event.text;
        answer.contentEvents++;
        return;
      case 'reasoning':
        answer.reasoning += event.text;
        answer.contentEvents++;
        return;
      case 'tool-call-end':
        answer.toolCalls.push(event.call);
        return;
      case 'finish':
        answer.finishReason = event.reason;
        if (event.nativeReason !== undefined) answer.nativeFinishReason = event.nativeReason;
        if (event.usage !== undefined) answer.usage = event.usage;
        return;
      default:
        return;
    }
  };
  return {
    add(events) {
      for (const event of events) add(event);
    },
    result: () => answer,
  };
}

/** Folds a whole list of events at once. */
export function collectAnswer(events: readonly AnswerEvent[]): CollectedAnswer {
  const fold = createAnswerFold();
  fold.add(events);
  return fold.result();
}

/** The events of an answer made up by the proxy itself (no upstream): one text, then a clean finish. */
export function localAnswerEvents(text: string, usage?: Usage): AnswerEvent[] {
  return [{ type: 'text', text }, { type: 'finish', reason: 'stop', ...(usage !== undefined ? { usage } : {}) }];
}
