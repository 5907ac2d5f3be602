import { HttpError } from '../errors.ts';

/** What one read of a body resolves with. */
export type BodyRead = ReturnType<ReadableStreamDefaultReader<Uint8Array>['read']>;

/** The timers that give up on one upstream attempt; they abort `signal` with a 504. */
export interface AttemptWatchdog {
  /** The attempt's signal: aborted by a timer, or when the client's signal aborts. */
  signal: AbortSignal;
  /** The first event arrived: the first-wait timer has done its job. */
  gotFirstEvent(): void;
  /** One read of the upstream body, with the idle timer running only while it is outstanding. */
  read(reader: ReadableStreamDefaultReader<Uint8Array>): BodyRead;
  /** Reads a whole body as text, timing silence between reads the same way. */
  readText(body: ReadableStream<Uint8Array>): Promise<string>;
  /** Stops every timer and lets go of the client's signal; safe to call more than once. */
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
 *
 * The client's signal is followed with one listener, removed by `clear`, rather than with
 * `AbortSignal.any`: that keeps every combined signal reachable from its sources until they are
 * collected, which at a thousand open streams is measurable (see the README's benchmark section).
 */
export function createWatchdog(limits: WatchdogLimits, clientSignal?: AbortSignal): AttemptWatchdog {
  const controller = new AbortController();
  const abortWith = (message: string) => () => controller.abort(new HttpError(504, message));
  const first = setTimeout(abortWith(limits.firstMessage), limits.firstMs);
  const idleMessage = `OpenRouter stalled: nothing received for ${limits.idleMs / 1000} s (STREAM_IDLE_TIMEOUT_SECONDS)`;
  const followClient = (): void => controller.abort(clientSignal?.reason);
  if (clientSignal?.aborted) followClient();
  else clientSignal?.addEventListener('abort', followClient, { once: true });
  let idle: NodeJS.Timeout | undefined;
  const clear = (): void => {
    clearTimeout(first);
    clearTimeout(idle);
    clientSignal?.removeEventListener('abort', followClient);
  };
  const read = async (reader: ReadableStreamDefaultReader<Uint8Array>): BodyRead => {
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
    read,
    async readText(body) {
      const reader = body.getReader();
      const decoder = new TextDecoder();
      let text = '';
      for (let chunk = await read(reader); !chunk.done; chunk = await read(reader)) text += decoder.decode(chunk.value, { stream: true });
      return text + decoder.decode();
    },
  };
}
