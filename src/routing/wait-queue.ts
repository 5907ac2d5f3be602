import { HttpError } from '../errors.ts';

/** Timers, injected so tests can fire them by hand. */
export interface Timers {
  set(callback: () => void, delayMs: number): unknown;
  clear(handle: unknown): void;
}

export const realTimers: Timers = {
  set: (callback, delayMs) => setTimeout(callback, delayMs),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface WaitQueueOptions {
  now: () => number;
  /** MAX_WAIT_SECONDS in ms; 0 turns waiting off. */
  maxWaitMs: number;
  timers?: Timers;
}

export interface WaitQueue {
  /**
   * Resolves at `until` (epoch ms) when that is within maxWaitMs; rejects at once with a 429 carrying
   * Retry-After when it is further off (or waiting is off), and with the signal's reason on abort.
   * `why` names the limit in the 429's message.
   */
  wait(until: number, signal: AbortSignal, why: string): Promise<void>;
  /** How many requests are waiting, and the soonest release (epoch ms). */
  waiting(): { count: number; nextReleaseAt: number | undefined };
}

interface Waiter {
  until: number;
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal;
  onAbort: () => void;
}

/**
 * Holds requests until a limit that lifts soon has lifted, as Ollama queues requests. Waiters sit in
 * one arrival-ordered list; there is one timer per distinct release time (all waiters on the
 * per-minute cap share one), and nothing runs while they wait.
 */
export function createWaitQueue(options: WaitQueueOptions): WaitQueue {
  const timers = options.timers ?? realTimers;
  const queue: Waiter[] = [];
  const timerAt = new Map<number, unknown>();

  // Releases, in arrival order, every waiter whose time has come.
  function releaseDue(at: number): void {
    timerAt.delete(at);
    const now = Math.max(options.now(), at);
    const due = queue.filter((waiter) => waiter.until <= now);
    for (const waiter of due) remove(waiter);
    for (const waiter of due) waiter.resolve();
  }

  function remove(waiter: Waiter): void {
    queue.splice(queue.indexOf(waiter), 1);
    waiter.signal.removeEventListener('abort', waiter.onAbort);
    // The last waiter for a release time takes its timer with it.
    if (!queue.some((other) => other.until === waiter.until)) {
      const handle = timerAt.get(waiter.until);
      if (handle !== undefined) timers.clear(handle);
      timerAt.delete(waiter.until);
    }
  }

  return {
    wait(until, signal, why) {
      if (signal.aborted) return Promise.reject(signal.reason);
      const now = options.now();
      if (until <= now) return Promise.resolve();
      if (options.maxWaitMs <= 0 || until - now > options.maxWaitMs) return Promise.reject(tooLong(until, now, options.maxWaitMs, why));
      return new Promise<void>((resolve, reject) => {
        const waiter: Waiter = { until, resolve, reject, signal, onAbort: () => {} };
        waiter.onAbort = () => {
          remove(waiter);
          reject(signal.reason);
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
        queue.push(waiter);
        if (!timerAt.has(until)) timerAt.set(until, timers.set(() => releaseDue(until), until - now));
      });
    },
    waiting() {
      const nextReleaseAt = queue.length === 0 ? undefined : Math.min(...queue.map((waiter) => waiter.until));
      return { count: queue.length, nextReleaseAt };
    },
  };
}

function tooLong(until: number, now: number, maxWaitMs: number, why: string): HttpError {
  const seconds = Math.max(1, Math.ceil((until - now) / 1000));
  const reason = maxWaitMs <= 0 ? 'waiting is off (MAX_WAIT_SECONDS=0)' : `that is longer than MAX_WAIT_SECONDS=${maxWaitMs / 1000}`;
  return new HttpError(429, `${why}; it lifts in ${seconds} s and ${reason}`, { headers: { 'Retry-After': String(seconds) } });
}
