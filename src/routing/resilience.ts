import { HttpError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { FailureStore } from '../store/failure-store.ts';
import { createBurstTracker, type BurstTracker } from './burst.ts';
import type { DailyUsage } from './daily-usage.ts';
import { accountLimitError } from './failure-policy.ts';
import { createOutageDetector, type OutageDetector } from './outage-detector.ts';
import { createLiftGate, type LiftGate } from './lift-gate.ts';
import { createProbeGate, type ProbeGate } from './probe-gate.ts';
import { createSavings, type Savings } from './savings.ts';
import { createWaitQueue, type Timers, type WaitQueue } from './wait-queue.ts';

/** Everything the attempt loop needs beyond cooldowns: the cap, outage detection, probes, waiting, the daily count. */
export interface Resilience {
  /** False for a router built without resilience: every failure is taken at face value. */
  detectsOutages: boolean;
  maxAttempts: number;
  maxWaitMs: number;
  outage: OutageDetector;
  probes: ProbeGate;
  /** A rate-limit burst on every model: one probe per request until one answers (burst.ts). */
  burst: BurstTracker;
  /** After the per-minute cap lifts, the first request out goes alone (lift-gate.ts). */
  lifts: LiftGate;
  waits: WaitQueue;
  usage: DailyUsage | undefined;
  /** Upstream requests not sent today, by reason (for /status). */
  savings: Savings;
}

export interface ResilienceOptions {
  now: () => number;
  logger: Logger;
  /** MAX_ATTEMPTS (default 5). */
  maxAttempts?: number;
  /** MAX_WAIT_SECONDS in ms (default 30 s; 0 turns waiting off). */
  maxWaitMs?: number;
  usage?: DailyUsage;
  timers?: Timers;
}

/** Builds the per-process resilience state (no module-level state: one per app). */
export function createResilience(options: ResilienceOptions): Resilience {
  const maxWaitMs = options.maxWaitMs ?? 30_000;
  return {
    detectsOutages: true,
    maxAttempts: options.maxAttempts ?? 5,
    maxWaitMs,
    outage: createOutageDetector({ now: options.now, logger: options.logger }),
    probes: createProbeGate({ now: options.now }),
    burst: createBurstTracker(),
    lifts: createLiftGate(),
    waits: createWaitQueue({ now: options.now, maxWaitMs, ...(options.timers ? { timers: options.timers } : {}) }),
    usage: options.usage,
    savings: createSavings(options.now),
  };
}

/**
 * The account limit that must stop a request now: the daily cap always, the per-minute cap only when
 * it lifts later than a request may wait (otherwise the attempt loop waits for it).
 */
export function blockingAccountLimit(store: FailureStore, now: number, maxWaitMs: number): HttpError | undefined {
  const minute = store.accountLimit('free-minute', now);
  const waitable = minute !== undefined && maxWaitMs > 0 && minute.resetAt - now <= maxWaitMs && store.accountLimit('free-daily', now) === undefined;
  return waitable ? undefined : accountLimitError(store, now);
}

/** The 503 answered while OpenRouter itself is down. */
export function outageError(outage: OutageDetector): HttpError {
  const state = outage.current();
  const seconds = outage.retryAfterSeconds();
  const what = state === undefined ? 'OpenRouter was down a moment ago' : `OpenRouter appears to be down: ${state.models.length} different models failed the same way (${state.signal === 'auth' ? '401' : '5xx or network'}; last: ${state.lastCause})`;
  return new HttpError(503, `${what}; no models were cooled down for it; retry after ${seconds} s (see GET /status)`, { headers: { 'Retry-After': String(seconds) } });
}

/** Gives a 429 or 503 that lacks one a Retry-After: from when the upstream said the limit lifts, else `fallbackSeconds`. */
export function withRetryAfter(error: HttpError, now: number, retryAt: number | undefined, fallbackSeconds: number): HttpError {
  if ((error.status !== 429 && error.status !== 503) || error.headers['Retry-After'] !== undefined) return error;
  const seconds = retryAt !== undefined && retryAt > now ? Math.ceil((retryAt - now) / 1000) : fallbackSeconds;
  return new HttpError(error.status, error.message, { cause: error, expose: error.expose, headers: { ...error.headers, 'Retry-After': String(Math.max(1, seconds)) } });
}

/** The bare policy, for walks without resilience (tests of the policy alone): no cap, no outage detection, no waiting. */
export function inertResilience(now: () => number, logger: Logger): Resilience {
  return { ...createResilience({ now, logger, maxAttempts: Number.POSITIVE_INFINITY, maxWaitMs: 0 }), detectsOutages: false };
}
