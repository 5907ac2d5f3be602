import type { ChatPart } from '../chat/parts.ts';
import type { ChatChunk } from '../chat/wire.ts';
import { UpstreamError } from '../errors.ts';
import type { SseEvent } from '../streams/sse-parser.ts';
import { toTransformer, type Stage } from '../streams/stage.ts';
import { malformedChunkReason } from './chunk-shape.ts';
import { classifyUpstreamError } from './upstream-error.ts';
import { quoteUpstreamData } from './upstream-text.ts';

/**
 * SSE event batches → chat part batches. Handles `[DONE]`, in-band errors (top-level `error`, with
 * or without `choices`, or a choice-level error) and malformed JSON; an error is always the last
 * part. A stream that ends with neither `[DONE]` nor a finish reason is reported as an error, never
 * as an empty success.
 */
export function chatPartStage(now: () => number = Date.now, onFirstEvent: () => void = () => {}, secrets: readonly string[] = []): Stage<SseEvent[], ChatPart[]> {
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
      return { type: 'error', error: new UpstreamError(502, `OpenRouter sent malformed JSON in the stream: ${quoteUpstreamData(event.data, secrets)}`, 'transient') };
    }
    // Checked here, once, so that no encoder meets a `null` tool call or a numeric `choices`.
    const malformed = malformedChunkReason(chunk);
    if (malformed !== undefined) {
      finished = true;
      return { type: 'error', error: new UpstreamError(502, `OpenRouter sent a malformed chunk (${malformed}): ${quoteUpstreamData(event.data, secrets)}`, 'transient') };
    }
    // OpenAI-compatible providers send `usage: null` on every chunk but the last; it means "none".
    if (chunk.usage === null) delete chunk.usage;
    const inBandError = chunk.error ?? chunk.choices?.find((choice) => choice.error !== undefined && choice.error !== null)?.error;
    if (inBandError !== undefined && inBandError !== null) {
      finished = true;
      return { type: 'error', error: classifyUpstreamError(502, inBandError, undefined, now(), secrets) };
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
