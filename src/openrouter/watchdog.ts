import { HttpError, UpstreamError } from '../errors.ts';

/** What one read of a body resolves with. */
export type BodyRead = ReturnType<ReadableStreamDefaultReader<Uint8Array>['read']>;

/** The timers that give up on one upstream attempt; they abort `signal` with a 504. */
export interface AttemptWatchdog {
  /** The attempt's signal: aborted by a timer, or when the client's signal aborts. */
  signal: AbortSignal;
  /** The first event arrived: the first-wait timer has done its job. */
  gotFirstEvent(): void;
  /** The response headers arrived: the headers timer (if any) has done its job. */
  gotHeaders(): void;
  /**
   * The reader is (true) or is no longer (false) waiting for the next event. Once the first event
   * has come, a wait that yields only keep-alive comments is bounded by the idle limit too.
   */
  waitingForEvent(waiting: boolean): void;
  /** One read of the upstream body, with the idle timer running only while it is outstanding. */
  read(reader: ReadableStreamDefaultReader<Uint8Array>): BodyRead;
  /** Reads a whole body as text, timing silence between reads the same way; more than `maxBytes` fails with a 502. */
  readText(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<string>;
  /** Stops every timer and lets go of the client's signal; safe to call more than once. */
  clear(): void;
}

export interface WatchdogLimits {
  /** How long to wait for the first event (streams) or the whole response (non-streamed). */
  firstMs: number;
  firstMessage: string;
  /** How long to wait for the response headers, when that is shorter than `firstMs` (non-streamed calls). */
  headersMs?: number;
  headersMessage?: string;
  /** How long the upstream may stay silent while the proxy waits for its next bytes. */
  idleMs: number;
}

/**
 * Builds the timers for one attempt. The idle timer runs only while a read of the upstream body is
 * outstanding: when a slow client holds the pipeline back, nobody reads, so a paused reader is never
 * mistaken for a stalled upstream. Keep-alive comments are bytes, so they count as signs of life.
 *
 * The client's signal is followed with one listener, removed by `clear`, rather than with
 * `AbortSignal.any`: that keeps every combined signal reachable from its sources until they are
 * collected, which at a thousand open streams is measurable (see the README's benchmark section).
 */
export function createWatchdog(limits: WatchdogLimits, clientSignal?: AbortSignal): AttemptWatchdog {
  const controller = new AbortController();
  const abortWith = (message: string) => () => controller.abort(new HttpError(504, message));
  const first = setTimeout(abortWith(limits.firstMessage), limits.firstMs);
  const headers = limits.headersMs === undefined ? undefined : setTimeout(abortWith(limits.headersMessage ?? limits.firstMessage), limits.headersMs);
  const idleMessage = `OpenRouter stalled: nothing received for ${limits.idleMs / 1000} s (STREAM_IDLE_TIMEOUT_SECONDS)`;
  const quietMessage = `OpenRouter stalled: only keep-alive comments, no data, for ${limits.idleMs / 1000} s (STREAM_IDLE_TIMEOUT_SECONDS)`;
  const followClient = (): void => controller.abort(clientSignal?.reason);
  if (clientSignal?.aborted) followClient();
  else clientSignal?.addEventListener('abort', followClient, { once: true });
  let idle: NodeJS.Timeout | undefined;
  // Runs while the reader waits for an event after the first one: keep-alives alone cannot hold a
  // started answer open for ever. Not running while nobody reads, so a slow client never counts.
  let quiet: NodeJS.Timeout | undefined;
  let started = false;
  // Whether any bytes (keep-alives) came during the current wait: the two stalls read differently.
  let heard = false;
  const clear = (): void => {
    clearTimeout(first);
    clearTimeout(headers);
    clearTimeout(idle);
    clearTimeout(quiet);
    clientSignal?.removeEventListener('abort', followClient);
  };
  const read = async (reader: ReadableStreamDefaultReader<Uint8Array>): BodyRead => {
    idle = setTimeout(abortWith(idleMessage), limits.idleMs);
    try {
      const result = await reader.read();
      if (!result.done) heard = true;
      return result;
    } finally {
      clearTimeout(idle);
    }
  };
  return {
    signal: controller.signal,
    gotFirstEvent() {
      started = true;
      clearTimeout(first);
    },
    gotHeaders: () => clearTimeout(headers),
    waitingForEvent(waiting) {
      clearTimeout(quiet);
      heard = false;
      quiet = waiting && started ? setTimeout(() => abortWith(heard ? quietMessage : idleMessage)(), limits.idleMs) : undefined;
    },
    clear,
    read,
    async readText(body, maxBytes) {
      const reader = body.getReader();
      const decoder = new TextDecoder();
      let text = '';
      let bytes = 0;
      for (let chunk = await read(reader); !chunk.done; chunk = await read(reader)) {
        bytes += chunk.value.byteLength;
        if (bytes > maxBytes) {
          // Cancelling closes the connection: an endless body is let go of, not read to the end.
          reader.cancel().catch(() => {});
          throw new UpstreamError(502, `OpenRouter sent a response larger than ${maxBytes / 1024 / 1024} MiB`, 'transient');
        }
        text += decoder.decode(chunk.value, { stream: true });
      }
      return text + decoder.decode();
    },
  };
}
