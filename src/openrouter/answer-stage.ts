// The one reader of OpenRouter's streamed chat chunks: SSE events in, neutral answer events out
// (src/chat/answer.ts). Nothing after this stage knows what `choices[].delta` is, except the byte-exact
// /v1 relay, which gets each chunk's JSON in a `raw` event.
import type { AnswerEvent } from '../chat/answer.ts';
import { createToolCallAssembler } from '../chat/tool-calls.ts';
import type { ChatChunk, Usage } from '../chat/wire.ts';
import { UpstreamError } from '../errors.ts';
import type { SseEvent } from '../streams/sse-parser.ts';
import { chain, type Sink, type Stage } from '../streams/stage.ts';
import { utf8DecodeStage } from '../streams/utf8-decode.ts';
import { sseEventStage } from '../streams/sse-parser.ts';
import { malformedChunkReason } from './chunk-shape.ts';
import { inBandError, readChunk, type ReadChunk } from './read-chunk.ts';
import { quoteUpstreamData } from './upstream-text.ts';
import { classifyUpstreamError } from './upstream-error.ts';
import type { UpstreamChunk } from './upstream-body.ts';


/**
 * SSE event batches → answer event batches. `[DONE]` (or a clean end after a finish reason) gives the
 * one `finish` event, with the usage that OpenRouter sends after the finish reason; an in-band error,
 * malformed JSON or a chunk of the wrong shape gives one `error` event, always the last. A stream that
 * ends with neither `[DONE]` nor a finish reason is an error, never an empty success.
 */
export function answerStage(now: () => number = Date.now, onEvents: () => void = () => {}, secrets: readonly string[] = []): Stage<SseEvent[] | UpstreamError, AnswerEvent[]> {
  const tools = createToolCallAssembler();
  let finished = false;
  let sawMetadata = false;
  let finish: { reason: string; native?: string | null } | undefined;
  let usage: Usage | undefined;

  const fail = (out: AnswerEvent[], error: UpstreamError): void => {
    finished = true;
    out.push({ type: 'error', error });
  };
  const end = (out: AnswerEvent[]): void => {
    finished = true;
    out.push(...tools.end(), { type: 'finish', reason: finish?.reason ?? null, ...(finish?.native !== undefined ? { nativeReason: finish.native } : {}), ...(usage !== undefined ? { usage } : {}) });
  };

  const fromChunk = (chunk: ReadChunk, out: AnswerEvent[]): void => {
    if (!sawMetadata && (chunk.id !== undefined || chunk.model !== undefined)) {
      sawMetadata = true;
      out.push({ type: 'metadata', ...(chunk.id !== undefined ? { id: chunk.id } : {}), ...(chunk.model !== undefined ? { model: chunk.model } : {}), ...(chunk.created !== undefined ? { created: chunk.created } : {}) });
    }
    if (chunk.usage !== undefined) usage = chunk.usage;
    if (chunk.reasoning !== '') out.push({ type: 'reasoning', text: chunk.reasoning });
    if (chunk.text !== '') out.push({ type: 'text', text: chunk.text });
    for (const fragment of chunk.toolCalls) out.push(...tools.add(fragment));
    if (chunk.finishReason !== undefined) {
      finish = { reason: chunk.finishReason, ...(chunk.nativeFinishReason !== undefined ? { native: chunk.nativeFinishReason } : {}) };
      // Every call is whole once the model says why it stopped.
      out.push(...tools.end());
    }
  };

  const fromEvent = (event: SseEvent, out: AnswerEvent[]): void => {
    if (event.data === '[DONE]') return end(out);
    let json: unknown;
    try {
      json = JSON.parse(event.data);
    } catch {
      return fail(out, new UpstreamError(502, `OpenRouter sent malformed JSON in the stream: ${quoteUpstreamData(event.data, secrets)}`, 'transient'));
    }
    // Checked here, once, so that nothing after this stage meets a `null` tool call or a numeric `choices`.
    const malformed = malformedChunkReason(json);
    if (malformed !== undefined) return fail(out, new UpstreamError(502, `OpenRouter sent a malformed chunk (${malformed}): ${quoteUpstreamData(event.data, secrets)}`, 'transient'));
    const chunk = json as ChatChunk;
    const error = inBandError(chunk);
    if (error !== undefined) return fail(out, classifyUpstreamError(502, error, undefined, now(), secrets));
    out.push({ type: 'raw', data: event.data });
    fromChunk(readChunk(chunk), out);
  };

  return {
    transform(events, sink) {
      if (finished) return;
      // The body broke (reset, timeout): the answer fails where it stands.
      if (events instanceof UpstreamError) {
        const out: AnswerEvent[] = [];
        fail(out, events);
        return sink.enqueue(out);
      }
      // Data events (keep-alive comments never get here): the upstream is alive and answering.
      onEvents();
      const out: AnswerEvent[] = [];
      for (const event of events) {
        fromEvent(event, out);
        if (finished) break;
      }
      if (out.length > 0) sink.enqueue(out);
    },
    flush(sink) {
      if (finished) return;
      const out: AnswerEvent[] = [];
      if (finish !== undefined) end(out);
      else fail(out, new UpstreamError(502, 'OpenRouter closed the stream before it finished (no [DONE] and no finish reason)', 'transient'));
      sink.enqueue(out);
    },
  };
}

/**
 * Upstream reads → answer event batches: bytes go through UTF-8 and SSE into the stage above, and a
 * transport failure goes straight to it; one synchronous stage.
 */
export function upstreamAnswerStage(now?: () => number, onEvents?: () => void, secrets?: readonly string[]): Stage<UpstreamChunk, AnswerEvent[]> {
  const text = chain(utf8DecodeStage(), sseEventStage());
  const answer = answerStage(now, onEvents, secrets);
  const into = (sink: Sink<AnswerEvent[]>): Sink<SseEvent[]> => ({ enqueue: (events) => answer.transform(events, sink) });
  // Bytes that arrived but cannot be read (an SSE line past its limit, say) are the upstream's
  // failure, not the connection's: the answer ends with that error, like any other.
  const guarded = (read: () => void, sink: Sink<AnswerEvent[]>): void => {
    try {
      read();
    } catch (cause) {
      answer.transform(new UpstreamError(502, `OpenRouter sent a stream the proxy cannot read: ${cause instanceof Error ? cause.message : String(cause)}`, 'transient', { cause }), sink);
    }
  };
  return {
    transform: (chunk, sink) => (chunk instanceof UpstreamError ? answer.transform(chunk, sink) : guarded(() => text.transform(chunk, into(sink)), sink)),
    flush(sink) {
      guarded(() => text.flush?.(into(sink)), sink);
      answer.flush?.(sink);
    },
  };
}
