// A pull-based source of chat part batches, and the one ReadableStream a streamed reply is built from.
//
// Why not a chain of ReadableStreams: each stream in a chain costs its queue, reader, controller and
// promises per open stream, and every batch crosses each of them. The upstream body, the watchdog,
// the transport guard, the read-ahead replay and the outcome watch are all one-batch-at-a-time pulls,
// so they compose as plain async functions; only the reply the HTTP adapter writes is a stream.
import type { ChatPart } from '../chat/parts.ts';
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
 */
export function partSourceStream<O>(source: PartSource, stage: Stage<ChatPart[], O>): ReadableStream<O> {
  let produced = false;
  let out: ReadableStreamDefaultController<O> | undefined;
  const sink: Sink<O> = {
    enqueue(value) {
      produced = true;
      out?.enqueue(value);
    },
  };
  return new ReadableStream<O>(
    {
      start(controller) {
        out = controller;
      },
      async pull(controller) {
        produced = false;
        try {
          // A batch may encode to nothing (a bare role announcement, say); a pull that enqueues
          // nothing would never be called again, so keep going until something is out or the end.
          while (!produced) {
            const batch = await source.next();
            if (batch === undefined) {
              stage.flush?.(sink);
              return controller.close();
            }
            stage.transform(batch, sink);
          }
        } catch (error) {
          await source.cancel(error);
          throw error;
        }
      },
      cancel: (reason) => source.cancel(reason),
    },
    { highWaterMark: 0 },
  );
}
