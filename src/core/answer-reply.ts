// A committed streamed answer becomes the client's reply: the upstream reads still to come run through
// one web TransformStream — OpenRouter's SSE in, the client's API out (NDJSON for Ollama) — which
// first replays the events read ahead to the commit point. One fused stage (parse, observe, encode)
// keeps a live stream to one set of queues and promises.
import type { AnswerEvent } from '../chat/answer.ts';
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
 * The reply stream. Nothing is read ahead of the client: the source is pulled only when the pipe into
 * the TransformStream has room, so a slow client holds OpenRouter back. Cancelling the reply cancels
 * the upstream; an upstream failure after the commit point arrives as an error event, which the
 * encoder turns into the API's in-band error.
 */
export function answerReply(answer: UpstreamAnswer, buffered: readonly AnswerEvent[][], encoder: Stage<AnswerEvent[], Uint8Array>, observer: AnswerObserver): ReadableStream<Uint8Array> {
  let over = false;
  const settle = (how: 'end' | 'cancel'): void => {
    if (over) return;
    over = true;
    if (how === 'end') observer.end();
    else observer.cancel();
  };
  const source = new ReadableStream<UpstreamChunk>(
    {
      async pull(controller) {
        let chunk: UpstreamChunk | undefined;
        try {
          chunk = await answer.read();
        } catch (error) {
          // The client went away while a read was outstanding: there is nobody to report to.
          settle('cancel');
          return controller.error(error);
        }
        if (chunk === undefined) controller.close();
        else controller.enqueue(chunk);
      },
      cancel(reason) {
        settle('cancel');
        return answer.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
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
  const convert = new TransformStream<UpstreamChunk, Uint8Array>({
    start(controller) {
      out = controller;
      for (const batch of buffered) events.enqueue(batch);
    },
    transform: (chunk) => answer.stage.transform(chunk, events),
    flush(controller) {
      answer.stage.flush?.(events);
      encoder.flush?.(controller);
      settle('end');
    },
  });
  return source.pipeThrough(convert);
}
