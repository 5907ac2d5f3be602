import { HttpError } from '../errors.ts';

/** The timers that give up on one upstream attempt; they abort `signal` with a 504. */
export interface AttemptWatchdog {
  signal: AbortSignal;
  /** The first event arrived: the first-wait timer has done its job. */
  gotFirstEvent(): void;
  /** Wraps the response body so that silence is timed only while the proxy is waiting for bytes. */
  watch(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array>;
  /** Reads a whole body as text, timing silence between reads the same way, without wrapping it in another stream. */
  readText(body: ReadableStream<Uint8Array>): Promise<string>;
  /** Stops every timer; safe to call more than once. */
  clear(): void;
}

export interface WatchdogLimits {
  /** How long to wait for the first event (streams) or the whole response (non-streamed). */
  firstMs: number;
  firstMessage: string;
  /** How long the upstream may stay silent while the proxy waits for its next bytes. */
  idleMs: number;
}

/**
 * Builds the timers for one attempt. The idle timer runs only while a read of the upstream body is
 * outstanding: when a slow client holds the pipeline back, nobody reads, so a paused reader is never
 * mistaken for a stalled upstream. Keep-alive comments are bytes, so they count as signs of life.
 */
export function createWatchdog(limits: WatchdogLimits): AttemptWatchdog {
  const controller = new AbortController();
  const abortWith = (message: string) => () => controller.abort(new HttpError(504, message));
  const first = setTimeout(abortWith(limits.firstMessage), limits.firstMs);
  const idleMessage = `OpenRouter stalled: nothing received for ${limits.idleMs / 1000} s (STREAM_IDLE_TIMEOUT_SECONDS)`;
  let idle: NodeJS.Timeout | undefined;
  const clear = (): void => {
    clearTimeout(first);
    clearTimeout(idle);
  };
  // One read of the upstream body, with the idle timer running only while it is outstanding.
  const timedRead = async (reader: ReadableStreamDefaultReader<Uint8Array>) => {
    idle = setTimeout(abortWith(idleMessage), limits.idleMs);
    try {
      return await reader.read();
    } finally {
      clearTimeout(idle);
    }
  };
  return {
    signal: controller.signal,
    gotFirstEvent: () => clearTimeout(first),
    clear,
    async readText(body) {
      const reader = body.getReader();
      const decoder = new TextDecoder();
      let text = '';
      for (let read = await timedRead(reader); !read.done; read = await timedRead(reader)) text += decoder.decode(read.value, { stream: true });
      return text + decoder.decode();
    },
    watch(body) {
      const reader = body.getReader();
      return new ReadableStream<Uint8Array>(
        {
          async pull(stream) {
            const { done, value } = await timedRead(reader);
            if (done) stream.close();
            else stream.enqueue(value);
          },
          cancel: (reason) => reader.cancel(reason),
        },
        // No read-ahead: a pull happens only when the next stage asks, which is what makes the timer honest.
        { highWaterMark: 0 },
      );
    },
  };
}
