// A committed streamed answer becomes the client's reply: the upstream reads still to come run through
// one web TransformStream — OpenRouter's SSE in, the client's API out (NDJSON for Ollama) — which
// first replays the events read ahead to the commit point. One fused stage (parse, observe, encode)
// keeps a live stream to one set of queues and promises.
import type { AnswerEvent } from '../chat/answer.ts';
import { UpstreamError } from '../errors.ts';
import type { UpstreamAnswer, UpstreamChunk } from '../openrouter/upstream-body.ts';
import type { Sink, Stage } from '../streams/stage.ts';

/** What watches a committed answer on its way to the client. */
export interface AnswerObserver {
  /** Sees every batch of events before it is encoded. */
  events(batch: readonly AnswerEvent[]): void;
  /** The answer reached its end: whole, or ended by an error event (the last batch says which). */
  end(): void;
  /** The client went away first. */
  cancel(): void;
}

/**
 * The reply stream: the TransformStream's readable side. A small pump reads the upstream and writes
 * to its writable side, one read at a time: a write resolves only once the client has taken the
 * previous output, so a slow client holds OpenRouter back (at most one read ahead of it). Cancelling
 * the reply cancels the upstream; an upstream failure after the commit point arrives as an error
 * event, which the encoder turns into the API's in-band error.
 */
export function answerReply(answer: UpstreamAnswer, buffered: readonly AnswerEvent[][], encoder: Stage<AnswerEvent[], Uint8Array>, observer: AnswerObserver, stop?: AbortSignal): ReadableStream<Uint8Array> {
  const replay = [...buffered];
  let over = false;
  const settle = (how: 'end' | 'cancel'): void => {
    if (over) return;
    over = true;
    // The shutdown signal lives as long as the app: an ended answer must not stay listed on it.
    stop?.removeEventListener('abort', onStop);
    if (how === 'end') observer.end();
    else observer.cancel();
  };
  // The parse stage's output goes straight to the observer and the encoder, whose output is the reply.
  let out: Sink<Uint8Array> | undefined;
  const events: Sink<AnswerEvent[]> = {
    enqueue(batch) {
      observer.events(batch);
      encoder.transform(batch, out as Sink<Uint8Array>);
      // An error event ends the answer: let go of the rest of the body.
      if (batch[batch.length - 1]?.type === 'error') answer.stop();
    },
  };
  // The shutdown grace is over: the answer ends the way the API ends a failed one (its reason as the
  // final error event), the upstream is let go, and no model is blamed (a cancel, not a failure).
  let controller: TransformStreamDefaultController<Uint8Array> | undefined;
  function onStop(): void {
    if (over || controller === undefined) return;
    settle('cancel');
    void answer.cancel(stop?.reason);
    encoder.transform([{ type: 'error', error: asUpstreamError(stop?.reason) }], controller);
    encoder.flush?.(controller);
    controller.terminate();
  }
  const convert = new TransformStream<UpstreamChunk, Uint8Array>({
    start(started) {
      out = controller = started;
      // Taken out of the list as they go, so an open stream does not keep what it has already sent.
      for (let batch = replay.shift(); batch !== undefined; batch = replay.shift()) events.enqueue(batch);
      if (stop?.aborted) onStop();
      else stop?.addEventListener('abort', onStop, { once: true });
    },
    transform: (chunk) => answer.stage.transform(chunk, events),
    flush(flushing) {
      answer.stage.flush?.(events);
      encoder.flush?.(flushing);
      settle('end');
    },
    cancel(reason) {
      settle('cancel');
      return answer.cancel(reason);
    },
  });
  void pump(answer, convert.writable.getWriter(), () => settle('cancel'));
  return convert.readable;
}

// Reads the upstream into the TransformStream until the body ends. A read rejects only when the
// client went away; a write rejects when the reply was cancelled (the transformer has let go already).
async function pump(answer: UpstreamAnswer, writer: WritableStreamDefaultWriter<UpstreamChunk>, clientGone: () => void): Promise<void> {
  try {
    for (let chunk = await answer.read(); chunk !== undefined; chunk = await answer.read()) await writer.write(chunk);
    await writer.close();
  } catch (error) {
    clientGone();
    await Promise.all([writer.abort(error).catch(() => {}), answer.cancel(error)]);
  }
}

function asUpstreamError(reason: unknown): UpstreamError {
  return reason instanceof UpstreamError ? reason : new UpstreamError(503, reason instanceof Error ? reason.message : String(reason), 'transient');
}
