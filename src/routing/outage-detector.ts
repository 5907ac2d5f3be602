import type { Logger } from '../logger.ts';

/**
 * How an attempt ended, as far as outage detection cares:
 * - `server`: a 5xx or a network failure; `auth`: a 401 (OpenRouter rejected the key);
 * - `started`: the model began answering (OpenRouter is up); `ok`: its answer was whole;
 * - `other`: any failure that says something about one model (429, 404...).
 */
export type AttemptSignal = 'server' | 'auth' | 'started' | 'ok' | 'other';

export interface OutageDetectorOptions {
  now: () => number;
  logger: Logger;
  /** How many different models must fail the same way in a row. */
  threshold?: number;
  /** Failures further apart than this do not form a run. */
  windowMs?: number;
  /** With no same-way failure for this long, the outage is over even without a success. */
  quietMs?: number;
}

export interface OutageState {
  since: number;
  signal: 'server' | 'auth';
  models: readonly string[];
  lastCause: string;
}

/** What the attempt loop may do now: go on as usual, go on as the one trial request, or refuse. */
export type Admission = { kind: 'go' } | { kind: 'trial'; release: () => void } | { kind: 'refuse'; retryAfterSeconds: number };

export interface OutageDetector {
  /** Feeds one attempt's outcome; returns true when OpenRouter is (now) believed to be down. */
  record(model: string, signal: AttemptSignal, cause?: string): boolean;
  /** Asks to start a request. During an outage one trial request at a time goes through, so the first request after recovery is served. */
  admit(): Admission;
  /** The outage in force, if any. */
  current(): OutageState | undefined;
  /** Seconds a refused client should wait before retrying. */
  retryAfterSeconds(): number;
}

const DEFAULTS = { threshold: 3, windowMs: 30_000, quietMs: 60_000 };
const MIN_RETRY_SECONDS = 5;
const MAX_RETRY_SECONDS = 60;

/**
 * Maps an UpstreamError-like status to the signal the detector understands (network failures arrive
 * as 502). A failure a provider is named for is that provider's, and proof that OpenRouter answers:
 * free providers fail like this every day, one at a time, and it must not read as an outage.
 */
export function attemptSignalOf(status: number, failure: string, provider?: string): AttemptSignal {
  if (provider !== undefined) return 'other';
  if (status === 401) return 'auth';
  if (failure === 'transient' && status >= 500) return 'server';
  return 'other';
}

/** Builds a detector that tells an OpenRouter outage (many models failing alike) from one bad model. */
export function createOutageDetector(options: OutageDetectorOptions): OutageDetector {
  const { now, logger } = options;
  const threshold = options.threshold ?? DEFAULTS.threshold;
  const windowMs = options.windowMs ?? DEFAULTS.windowMs;
  const quietMs = options.quietMs ?? DEFAULTS.quietMs;
  // The current run of consecutive same-way failures: the models in it, the kind, and when the last one was.
  let run: { signal: 'server' | 'auth'; models: Set<string>; lastAt: number; cause: string } | undefined;
  let outage: OutageState | undefined;
  let trialInFlight = false;

  function end(reason: 'success' | 'answered' | 'quiet'): void {
    if (outage === undefined) return;
    logger.info('OpenRouter outage over', { reason, signal: outage.signal, seconds: Math.round((now() - outage.since) / 1000) });
    outage = undefined;
    run = undefined;
  }

  // Without traffic no success can end an outage; silence for quietMs does instead.
  function expireQuiet(): void {
    if (outage !== undefined && run !== undefined && now() - run.lastAt >= quietMs) end('quiet');
  }

  function recordFailure(model: string, signal: 'server' | 'auth', cause: string): boolean {
    const at = now();
    if (run === undefined || run.signal !== signal || at - run.lastAt > windowMs) run = { signal, models: new Set(), lastAt: at, cause };
    run.models.add(model);
    run.lastAt = at;
    run.cause = cause;
    if (outage === undefined && run.models.size >= threshold) {
      outage = { since: at, signal, models: [...run.models], lastCause: cause };
      logger.warn('OpenRouter outage: different models fail the same way; answering 503 until it recovers', { signal, models: outage.models, cause });
    } else if (outage !== undefined) {
      outage = { ...outage, models: [...run.models], lastCause: cause };
    }
    return outage !== undefined;
  }

  function retryAfterSeconds(): number {
    if (outage === undefined) return MIN_RETRY_SECONDS;
    // Longer outages tend to last longer: back clients off by half the outage's age, within bounds.
    const half = Math.ceil((now() - outage.since) / 2000);
    return Math.min(MAX_RETRY_SECONDS, Math.max(MIN_RETRY_SECONDS, half));
  }

  return {
    record(model, signal, cause = '') {
      expireQuiet();
      if (signal === 'ok') {
        end('success');
        run = undefined;
        return false;
      }
      // An answer under way ends an outage, but not a run of failures: streams that break mid-answer
      // on model after model are an outage too.
      if (signal === 'started') {
        end('answered');
        return false;
      }
      // A model-specific failure (429, 404, moderation...) breaks the run, and is proof that OpenRouter
      // itself is answering again: it ends an outage, so the walk falls back as usual.
      if (signal === 'other') {
        end('answered');
        run = undefined;
        return false;
      }
      return recordFailure(model, signal, cause);
    },
    admit() {
      expireQuiet();
      if (outage === undefined) return { kind: 'go' };
      if (trialInFlight) return { kind: 'refuse', retryAfterSeconds: retryAfterSeconds() };
      trialInFlight = true;
      let released = false;
      return {
        kind: 'trial',
        release: () => {
          if (released) return;
          released = true;
          trialInFlight = false;
        },
      };
    },
    current() {
      expireQuiet();
      return outage;
    },
    retryAfterSeconds,
  };
}
