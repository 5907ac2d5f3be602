import { HttpError, UpstreamError } from '../errors.ts';

/** What one read of a body resolves with. */
export type BodyRead = ReturnType<ReadableStreamDefaultReader<Uint8Array>['read']>;

/** The timers that give up on one upstream attempt; they abort `signal` with a 504. */
export interface AttemptWatchdog {
  /** The attempt's signal: aborted by a timer, or when the client's signal aborts. */
  signal: AbortSignal;
  /** Events arrived (the first one ends the first-wait timer); the keep-alive bound starts again. */
  gotEvents(): void;
  /** The response headers arrived: the headers timer (if any) has done its job. */
  gotHeaders(): void;
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
  // Keep-alives alone cannot hold a started answer open for ever: the time spent reading since the
  // last event is bounded by the idle limit too. Only time inside reads counts, so a slow client
  // that holds the reading back never does.
  let quiet: NodeJS.Timeout | undefined;
  let started = false;
  let quietMs = 0;
  const clear = (): void => {
    clearTimeout(first);
    clearTimeout(headers);
    clearTimeout(idle);
    clearTimeout(quiet);
    clientSignal?.removeEventListener('abort', followClient);
  };
  const read = async (reader: ReadableStreamDefaultReader<Uint8Array>): BodyRead => {
    idle = setTimeout(abortWith(idleMessage), limits.idleMs);
    const since = performance.now();
    // Keep-alives came before (some time is spent): the stall, if it comes, is of keep-alives alone.
    if (started) quiet = setTimeout(abortWith(quietMs > 0 ? quietMessage : idleMessage), Math.max(0, limits.idleMs - quietMs));
    try {
      return await reader.read();
    } finally {
      clearTimeout(idle);
      clearTimeout(quiet);
      if (started) quietMs += performance.now() - since;
    }
  };
  return {
    signal: controller.signal,
    gotEvents() {
      started = true;
      quietMs = 0;
      clearTimeout(first);
    },
    gotHeaders: () => clearTimeout(headers),
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
