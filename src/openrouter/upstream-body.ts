// One streamed OpenRouter answer: its body, read with the watchdog's reads, and the stage that turns
// its bytes into answer events. The core reads it two ways: as event batches up to the commit point
// (and for whole answers), and then, for a streamed reply, as the raw bytes that one web
// TransformStream converts for the client (core/answer-reply.ts).
import type { AnswerEvent } from '../chat/answer.ts';
import type { UpstreamError } from '../errors.ts';
import { flushOnce, type Sink, type Stage } from '../streams/stage.ts';
import type { BodyRead } from './watchdog.ts';

/** A raw read: bytes, or the transport failure that ended the body (reset, timeout). */
export type UpstreamChunk = Uint8Array | UpstreamError;

export interface UpstreamAnswer {
  /**
   * The next batch of events (never empty), or undefined at the end; an error event is always the
   * last of the last batch. Rejects only when the client went away: there is nobody to report to,
   * and that is not the model's failure.
   */
  next(): Promise<AnswerEvent[] | undefined>;
  /** The next raw chunk for `stage`, or undefined once the body has ended (or an error event ended the answer). */
  read(): Promise<UpstreamChunk | undefined>;
  /** The parse stage, in whatever state the reads so far left it. */
  stage: Stage<UpstreamChunk, AnswerEvent[]>;
  /** Marks the answer over after an error event: the rest of the body is let go. */
  stop(): void;
  /** Stops reading and lets go of the upstream; safe at any time, more than once. */
  cancel(reason?: unknown): Promise<void>;
}

export interface UpstreamAnswerOptions {
  stage: Stage<UpstreamChunk, AnswerEvent[]>;
  /** One read of the body; the watchdog's, so that silence is timed only while a read is outstanding. */
  read: (reader: ReadableStreamDefaultReader<Uint8Array>) => BodyRead;
  /** Turns whatever broke the body (reset, timeout, abort) into the error the client should see. */
  toError: (cause: unknown) => UpstreamError;
  /** The client's own signal: once it aborts there is nobody to report to. */
  clientSignal: AbortSignal;
  /** Runs exactly once, however the body ends (done, error, failure, or cancel). */
  onEnd: () => void;
}

/** Wraps an upstream body's reader as an UpstreamAnswer. */
export function readUpstreamAnswer(reader: ReadableStreamDefaultReader<Uint8Array>, options: UpstreamAnswerOptions): UpstreamAnswer {
  // Read-ahead and the reply share the stage, and both may reach the end: it flushes once.
  const stage = flushOnce(options.stage);
  let ended = false;
  // Let go of by a stop or a cancel: there is nothing more to parse, not even the stage's end.
  let released = false;
  const end = (): void => {
    if (ended) return;
    ended = true;
    options.onEnd();
  };
  const stop = (): void => {
    released = true;
    if (ended) return;
    end();
    reader.cancel().catch(() => {});
  };

  async function read(): Promise<UpstreamChunk | undefined> {
    if (ended) return undefined;
    try {
      const chunk = await options.read(reader);
      if (!chunk.done) return chunk.value;
    } catch (cause) {
      end();
      if (options.clientSignal.aborted) throw options.toError(cause);
      return options.toError(cause);
    }
    end();
    return undefined;
  }

  let batch: AnswerEvent[] | undefined;
  // The stages may emit several batches for one read; they are joined so one read is one batch.
  const sink: Sink<AnswerEvent[]> = { enqueue: (events) => void (batch = batch === undefined ? events : batch.concat(events)) };

  let drained = false;
  async function next(): Promise<AnswerEvent[] | undefined> {
    // A read that yields no events (a keep-alive comment, half an event) is followed by another.
    while (!drained && !released) {
      const chunk = await read();
      if (chunk === undefined) {
        drained = true;
        stage.flush?.(sink);
      } else {
        stage.transform(chunk, sink);
      }
      const events = batch;
      batch = undefined;
      if (events === undefined) continue;
      if (events[events.length - 1]?.type === 'error') stop();
      return events;
    }
    return undefined;
  }

  return {
    next,
    read,
    stage,
    stop,
    async cancel(reason) {
      released = true;
      end();
      await reader.cancel(reason).catch(() => {});
    },
  };
}
