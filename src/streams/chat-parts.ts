import { UpstreamError, classifyUpstreamError } from '../openrouter/upstream-error.ts';
import type { ChatChunk } from '../openrouter/types.ts';
import type { SseEvent } from './sse-parser.ts';
import { toTransformer, type Stage } from './stage.ts';

/** What the chat stream carries between stages: a parsed chunk (with its raw JSON, for relaying), or a terminal error. */
export type ChatPart = { type: 'chunk'; chunk: ChatChunk; data: string } | { type: 'error'; error: UpstreamError };

/** True when a chunk carries something a client would see, as opposed to a bare role announcement. */
export function chunkHasContent(chunk: ChatChunk): boolean {
  if (chunk.usage !== undefined) return true;
  for (const choice of chunk.choices ?? []) {
    const delta = choice.delta;
    if (choice.finish_reason) return true;
    if (delta && (delta.content || delta.reasoning || (delta.tool_calls && delta.tool_calls.length > 0))) return true;
  }
  return false;
}

/**
 * SSE event batches → chat part batches. Handles `[DONE]`, in-band errors (top-level `error`, with
 * or without `choices`, or a choice-level error) and malformed JSON; an error is always the last
 * part. A stream that ends with neither `[DONE]` nor a finish reason is reported as an error, never
 * as an empty success.
 */
export function chatPartStage(now: () => number = Date.now, onFirstEvent: () => void = () => {}): Stage<SseEvent[], ChatPart[]> {
  let finished = false;
  let sawEvent = false;
  let sawFinishReason = false;

  const toPart = (event: SseEvent): ChatPart | undefined => {
    if (event.data === '[DONE]') {
      finished = true;
      return undefined;
    }
    let chunk: ChatChunk;
    try {
      chunk = JSON.parse(event.data) as ChatChunk;
    } catch {
      finished = true;
      return { type: 'error', error: new UpstreamError(502, `OpenRouter sent malformed JSON in the stream: ${event.data.slice(0, 80)}`, 'transient') };
    }
    const inBandError = chunk.error ?? chunk.choices?.find((choice) => choice.error !== undefined)?.error;
    if (inBandError !== undefined) {
      finished = true;
      return { type: 'error', error: classifyUpstreamError(502, inBandError, undefined, now()) };
    }
    if (!sawFinishReason && chunk.choices?.some((choice) => choice.finish_reason)) sawFinishReason = true;
    return { type: 'chunk', chunk, data: event.data };
  };

  return {
    transform(events, sink) {
      if (finished) return;
      if (!sawEvent) {
        sawEvent = true;
        onFirstEvent();
      }
      const parts: ChatPart[] = [];
      for (const event of events) {
        const part = toPart(event);
        if (part !== undefined) parts.push(part);
        if (finished) break;
      }
      if (parts.length > 0) sink.enqueue(parts);
    },
    flush(sink) {
      if (finished || sawFinishReason) return;
      sink.enqueue([{ type: 'error', error: new UpstreamError(502, 'OpenRouter closed the stream before it finished (no [DONE] and no finish reason)', 'transient') }]);
    },
  };
}

/** The chat-part stage as a TransformStream. */
export class ChatPartStream extends TransformStream<SseEvent[], ChatPart[]> {
  constructor(now?: () => number, onFirstEvent?: () => void) {
    super(toTransformer(chatPartStage(now, onFirstEvent)));
  }
}
