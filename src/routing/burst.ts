// A rate-limit burst: the free models' providers all answer 429 at once (their shared free pools are
// drained), and they come back at about the same time. A client that retries when told would walk
// every model again on each retry, spending the day's quota on 429s. Once a walk has found every
// model it tried rate limited, each request instead probes one model, the one due back first, and
// probes are spaced: a probe that is rate limited too says the pools are still dry, so the next one
// is worth making only when that model is due back, and Retry-After says when.
import type { CatalogModel } from '../catalog/model-info.ts';
import { HttpError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { FailureStore } from '../store/failure-store.ts';
import type { ProbeGate } from './probe-gate.ts';
import type { Savings } from './savings.ts';
import type { WaitQueue } from './wait-queue.ts';
import type { RoutedEvent } from './attempt-outcome.ts';

/** The burst in force: when it began, when a rate limit last confirmed it, and when the next probe is worth making. */
export interface BurstState {
  since: number;
  lastRateLimitAt: number;
  nextProbeAt: number;
}

export interface BurstTracker {
  /** Every attempt of a walk was rate limited: the burst starts, or goes on, with its next probe at `nextProbeAt`. */
  rateLimited(at: number, nextProbeAt: number): void;
  /** A model answered: the burst is over. */
  answered(): void;
  /** The burst in force at `at`, if any. */
  current(at: number): BurstState | undefined;
}

// Without any rate limit for this long (no request came to find one), the burst is taken to be over:
// the next request walks as usual, and starts a new burst if it finds one.
const QUIET_MS = 10 * 60_000;

/** Builds the burst tracker of one app. */
export function createBurstTracker(): BurstTracker {
  let state: BurstState | undefined;
  return {
    rateLimited(at, nextProbeAt) {
      state = { since: state?.since ?? at, lastRateLimitAt: at, nextProbeAt };
    },
    answered() {
      state = undefined;
    },
    current(at) {
      if (state !== undefined && at - state.lastRateLimitAt >= QUIET_MS) state = undefined;
      return state;
    },
  };
}

/** When a model is due back: the end of its cooldown, or 0 when it has none (it is due now). */
export function dueAt(store: FailureStore, model: CatalogModel): number {
  return store.get(model.id)?.cooldownUntil ?? 0;
}

/** The models in the order they are due back (ties keep their priority order). */
export function dueFirst(models: readonly CatalogModel[], store: FailureStore): CatalogModel[] {
  return [...models].sort((a, b) => dueAt(store, a) - dueAt(store, b));
}

/** After a walk that was all rate limits: the first probe is worth making when the first of the models it cooled is due back. */
export function firstProbeAt(models: readonly CatalogModel[], store: FailureStore, now: number): number {
  const ahead = models.map((model) => dueAt(store, model)).filter((due) => due > now);
  return ahead.length === 0 ? now : Math.min(...ahead);
}

/**
 * The 429 a request gets while the burst goes on: its probe was rate limited too, or it came before the
 * next probe is worth making, or every model is being probed by another request. Retry-After is when
 * the next probe is worth making.
 */
export function burstError(burst: BurstState, now: number, why: string): HttpError {
  const seconds = Math.max(1, Math.ceil((burst.nextProbeAt - now) / 1000));
  return new HttpError(429, `the free models are rate limited upstream (a burst since ${new Date(burst.since).toISOString()}): one model is tried per request until one answers, and ${why}; ` +
    `the next probe is worth making in ${seconds} s (see GET /status)`, { headers: { 'Retry-After': String(seconds) } });
}

/** How one walk went: attempts made, and how many of them were rate limited (all of them: a burst). */
export interface WalkReport {
  attempts: number;
  rateLimited: number;
}

/** Thrown inside a burst's walk when its model was rate limited; turned into the 429 once cooldowns are written. */
export class BurstGoesOn extends Error {
  readonly model: string;
  constructor(model: string) {
    super(`${model} is rate limited`);
    this.model = model;
  }
}

interface BurstDeps {
  store: FailureStore;
  resilience: { probes: ProbeGate; burst: BurstTracker; savings: Savings; waits: WaitQueue; maxWaitMs: number };
  logger: Logger;
  now: () => number;
}

/**
 * A request in a burst. Before the next probe is worth making it waits for it (within
 * MAX_WAIT_SECONDS), else answers 429 with nothing sent. Then it probes the model due back first
 * (untried ones are due now; one probe per model at a time across requests): `walk` tries the models
 * in the order given and throws BurstGoesOn at the first rate limit, which answers 429 at once; any
 * other failure moves on to the next model due.
 */
export async function probeInBurst<R>(deps: BurstDeps, models: readonly CatalogModel[], burst: BurstState, signal: AbortSignal, walk: (candidates: CatalogModel[], report: WalkReport) => Promise<R>): Promise<R> {
  const { store, resilience, now } = deps;
  if (burst.nextProbeAt > now()) {
    if (burst.nextProbeAt - now() > resilience.maxWaitMs) {
      resilience.savings.save('burst_walk');
      throw burstError(burst, now(), 'none is due back yet');
    }
    await resilience.waits.wait(burst.nextProbeAt, signal, 'the free models are rate limited upstream');
  }
  const ordered = dueFirst(models, store);
  const probe = resilience.probes.claimSoonest(ordered.map((model) => ({ model: model.id, cooldownUntil: dueAt(store, model) })));
  if (probe === undefined) throw burstError({ ...burst, nextProbeAt: firstProbeAt(models, store, now()) }, now(), 'every model that could serve it is being probed by another request');
  const report: WalkReport = { attempts: 0, rateLimited: 0 };
  try {
    deps.logger.info('rate-limit burst: probing the model due back first instead of walking them all', { model: probe.model });
    return await walk([...ordered.filter((model) => model.id === probe.model), ...ordered.filter((model) => model.id !== probe.model)], report);
  } catch (error) {
    if (!(error instanceof BurstGoesOn)) throw error;
    // The pools are still dry: the next probe is worth making when this model is due back.
    const limited = models.find((model) => model.id === error.model);
    const next = Math.max(now(), limited === undefined ? now() : dueAt(store, limited));
    resilience.burst.rateLimited(now(), next);
    if (models.length > report.attempts) resilience.savings.save('burst_walk');
    throw burstError(resilience.burst.current(now()) ?? { ...burst, nextProbeAt: next }, now(), `${error.model} was still rate limited`);
  } finally {
    probe.release();
  }
}

/** Ends the burst the moment any model commits to an answer (subscribes the tracker to attempt outcomes). */
export function burstListener(tracker: BurstTracker): (event: RoutedEvent) => void {
  return (event) => {
    if (event.kind === 'committed') tracker.answered();
  };
}
