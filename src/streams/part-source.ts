// A pull-based source of chat part batches, and the one ReadableStream a streamed reply is built from.
//
// Why not a chain of ReadableStreams: each stream in a chain costs its queue, reader, controller and
// promises per open stream, and every batch crosses each of them. The upstream body, the watchdog,
// the transport guard, the read-ahead replay and the outcome watch are all one-batch-at-a-time pulls,
// so they compose as plain async functions; only the reply the HTTP adapter writes is a stream.
import type { ChatPart } from '../chat/parts.ts';
import { UpstreamError } from '../errors.ts';
import type { Sink, Stage } from './stage.ts';

/** Batches of parts, pulled one at a time; an error part is always the last part of the last batch. */
export interface PartSource {
  /**
   * The next batch (never empty), or undefined at the end. Rejects only when there is nobody to
   * report to (the client went away); every other failure arrives as a final error part.
   */
  next(): Promise<ChatPart[] | undefined>;
  /** Stops reading and lets go of the upstream; safe to call at any time, more than once. */
  cancel(reason?: unknown): Promise<void>;
}

/** A source over batches already in memory (tests, replays). */
export function partSourceOf(batches: Iterable<ChatPart[]>): PartSource {
  const iterator = batches[Symbol.iterator]();
  return {
    next: async () => iterator.next().value ?? undefined,
    cancel: async () => void iterator.return?.(),
  };
}

/**
 * The reply stream: each pull takes the next batch and runs it through `stage` (a dialect's
 * encoder) synchronously. Nothing is read ahead: the source is pulled only when the HTTP adapter
 * asks for more, so a slow client holds OpenRouter back. Cancelling the stream cancels the source.
 * When `stop` aborts (the shutdown grace is over), the source is let go and the stream ends the
 * way the API ends a failed answer: its reason goes through `stage` as a final error part.
 */
export function partSourceStream<O>(source: PartSource, stage: Stage<ChatPart[], O>, stop?: AbortSignal): ReadableStream<O> {
  let produced = false;
  let finished = false;
  let out: ReadableStreamDefaultController<O> | undefined;
  const sink: Sink<O> = {
    enqueue(value) {
      produced = true;
      out?.enqueue(value);
    },
  };
  const finish = (): boolean => {
    if (finished) return false;
    finished = true;
    stop?.removeEventListener('abort', onStop);
    return true;
  };
  function onStop(): void {
    if (!finish()) return;
    void source.cancel(stop?.reason);
    stage.transform([{ type: 'error', error: asUpstreamError(stop?.reason) }], sink);
    stage.flush?.(sink);
    out?.close();
  }
  return new ReadableStream<O>(
    {
      start(controller) {
        out = controller;
        if (stop?.aborted) onStop();
        else stop?.addEventListener('abort', onStop, { once: true });
      },
      async pull(controller) {
        produced = false;
        try {
          // A batch may encode to nothing (a bare role announcement, say); a pull that enqueues
          // nothing would never be called again, so keep going until something is out or the end.
          while (!produced) {
            const batch = await source.next();
            // Stopped while waiting: the error ending is already out.
            if (finished) return;
            if (batch === undefined) {
              finish();
              stage.flush?.(sink);
              return controller.close();
            }
            stage.transform(batch, sink);
          }
        } catch (error) {
          if (!finish()) return;
          await source.cancel(error);
          throw error;
        }
      },
      cancel(reason) {
        finish();
        return source.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

function asUpstreamError(reason: unknown): UpstreamError {
  return reason instanceof UpstreamError ? reason : new UpstreamError(503, reason instanceof Error ? reason.message : String(reason), 'transient');
}
