// The walk over a plan's models: the attempt loop of the routed-attempt core. It emits one outcome
// event per attempt (routing/attempt-outcome.ts) and decides only what to do next: the cooldowns, the
// outage verdict, the daily count and the logs are the subscribers' work.
import type { CatalogModel } from '../catalog/model-info.ts';
import { HttpError, UpstreamError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { classifyFailure, isClientGone, type OutcomeBus, type RequestRef } from '../routing/attempt-outcome.ts';
import { BurstGoesOn, firstProbeAt, probeInBurst, type WalkReport } from '../routing/burst.ts';
import { canHold, contextNeededAfter, isContextOverflow } from '../routing/context-fit.ts';
import { allCoolingDown, soonestCooldown, stopFor } from '../routing/failure-policy.ts';
import type { RoutePlan } from '../routing/model-router.ts';
import type { Probe } from '../routing/probe-gate.ts';
import { blockingAccountLimit, outageError, withRetryAfter, type Resilience } from '../routing/resilience.ts';
import type { FailureStore } from '../store/failure-store.ts';

export interface WalkDeps {
  /** The store as routing reads it. */
  store: FailureStore;
  resilience: Resilience;
  bus: OutcomeBus;
  now: () => number;
  monotonic: () => number;
  logger: Logger;
}

/** The attempt that committed: its value, its model, how many were tried, and when it started (monotonic ms). */
export interface Walked<T> {
  value: T;
  model: CatalogModel;
  attempts: number;
  startedAt: number;
}

/**
 * Runs `attempt` on the plan's models until one resolves (commits): at most MAX_ATTEMPTS upstream
 * calls, waiting out a per-minute cap that lifts soon, stopping early (with no cooldowns) when
 * OpenRouter itself is down, probing the soonest-due cooling model when nothing else is left, and in
 * a rate-limit burst probing only the model due back first (routing/burst.ts).
 */
export async function walkAttempts<T>(deps: WalkDeps, request: RequestRef, plan: RoutePlan, attempt: (model: CatalogModel) => Promise<T>, signal: AbortSignal): Promise<Walked<T>> {
  const { resilience } = deps;
  const admission = resilience.outage.admit();
  if (admission.kind === 'refuse') throw outageError(resilience.outage);
  let probe: Probe | undefined;
  const ending = { outage: false };
  const report: WalkReport = { attempts: 0, rateLimited: 0 };
  const walk = (candidates: CatalogModel[], options: { probing: boolean; stopAtRateLimit?: boolean; report: WalkReport }) =>
    walkModels(deps, { request, plan: { ...plan, candidates }, attempt, signal, ending, ...options });
  try {
    const burst = plan.capable === undefined ? undefined : resilience.burst.current(deps.now());
    if (burst !== undefined && plan.capable !== undefined) {
      // One probe of the model due back first; a rate limit ends the walk (burst.ts).
      return await probeInBurst(deps, plan.capable, burst, signal, async (candidates, burstReport) => {
        await waitForRetryAfter(deps, (candidates[0] as CatalogModel).id, signal);
        return walk(candidates, { probing: true, stopAtRateLimit: true, report: burstReport });
      });
    }
    let models = plan.candidates;
    if (models.length === 0 && plan.cooling !== undefined) {
      probe = resilience.probes.claimSoonest(plan.cooling.map((model) => ({ model: model.id, cooldownUntil: deps.store.get(model.id)?.cooldownUntil ?? 0 })));
      if (probe === undefined) throw allCoolingDown(plan.cooling, deps.store, deps.now());
      const probed = probe.model;
      models = plan.cooling.filter((model) => model.id === probed);
      deps.logger.info('probing a cooling model: every model that could serve the request is cooling down', { model: probed });
      await waitForRetryAfter(deps, probed, signal);
    }
    return await walk(models, { probing: probe !== undefined, report });
  } catch (error) {
    // Every model this walk tried was rate limited: a burst begins (or goes on).
    if (report.attempts > 0 && report.rateLimited === report.attempts && !signal.aborted) {
      const now = deps.now();
      resilience.burst.rateLimited(now, firstProbeAt(plan.capable ?? plan.candidates, deps.store, now));
    }
    throw error;
  } finally {
    // The cooldown policy writes (or, after an outage, drops) what this walk's failures earned.
    deps.bus.emit({ kind: 'walk-end', request, outage: ending.outage });
    if (admission.kind === 'trial') admission.release();
    probe?.release();
  }
}

// A probe of a model whose own rate limit lifts within MAX_WAIT_SECONDS waits for it rather than failing again.
async function waitForRetryAfter(deps: WalkDeps, model: string, signal: AbortSignal): Promise<void> {
  const record = deps.store.get(model);
  if (record?.kind !== 'rate-limit' || record.cooldownUntil - deps.now() > deps.resilience.maxWaitMs) return;
  await deps.resilience.waits.wait(record.cooldownUntil, signal, `${model} is rate limited`);
}

interface Walk<T> {
  request: RequestRef;
  plan: RoutePlan;
  attempt: (model: CatalogModel) => Promise<T>;
  signal: AbortSignal;
  probing: boolean;
  /** In a burst, a rate limit ends the walk: the models behind it are most likely limited too. */
  stopAtRateLimit?: boolean;
  report: WalkReport;
  ending: { outage: boolean };
}

// A request that went first after the per-minute cap lifted lets the others go once its outcome is in.
async function walkModels<T>(deps: WalkDeps, walk: Walk<T>): Promise<Walked<T>> {
  const lift: { release?: () => void } = {};
  try {
    return await walkThrough(deps, walk, lift);
  } finally {
    lift.release?.();
  }
}

async function walkThrough<T>(deps: WalkDeps, walk: Walk<T>, lift: { release?: () => void }): Promise<Walked<T>> {
  const { resilience, store, now, bus } = deps;
  const { request, plan, signal } = walk;
  let lastError: { model: CatalogModel; error: UpstreamError } | undefined;
  let attempts = 0;
  // Raised by an upstream context overflow: smaller models are skipped from then on.
  let contextNeeded = 0;
  for (let index = 0; index < plan.candidates.length && attempts < resilience.maxAttempts; ) {
    const model = plan.candidates[index] as CatalogModel;
    if (!canHold(model, undefined, contextNeeded)) {
      index++;
      continue;
    }
    if (plan.fallback) {
      // Another request may have hit an account limit, or cooled this model down, since the plan was made.
      const limit = blockingAccountLimit(store, now(), resilience.maxWaitMs);
      if (limit !== undefined) throw limit;
      if (attempts > 0 && !walk.probing && store.isCoolingDown(model.id, now())) {
        index++;
        continue;
      }
    }
    // The previous attempt's outcome is recorded by now: release whoever waits on it.
    lift.release?.();
    lift.release = model.free ? await waitForMinuteCap(deps, signal) : undefined;
    attempts++;
    walk.report.attempts++;
    const ref = { request, model, attempt: attempts };
    bus.emit({ kind: 'started', ...ref });
    const startedAt = deps.monotonic();
    const elapsed = () => Math.round(deps.monotonic() - startedAt);
    try {
      const value = await walk.attempt(model);
      bus.emit({ kind: 'committed', ...ref, ms: elapsed() });
      return { value, model, attempts, startedAt };
    } catch (error) {
      if (signal.aborted || isClientGone(error)) {
        bus.emit({ kind: 'cancelled', ...ref, ms: elapsed(), committed: false });
        throw error;
      }
      const failure = classifyFailure(error);
      bus.emit({ kind: 'failed', ...ref, ms: elapsed(), failure, committed: false });
      if (failure.routing === 'error') throw error;
      if (resilience.outage.current() !== undefined) {
        // The failures were OpenRouter's, not the models': none of them earns a cooldown.
        walk.ending.outage = true;
        throw outageError(resilience.outage);
      }
      const upstream = failure.error;
      if (failure.routing === 'rate-limit') walk.report.rateLimited++;
      if (walk.stopAtRateLimit && failure.routing === 'rate-limit') throw new BurstGoesOn(model.id);
      if (isContextOverflow(upstream)) contextNeeded = Math.max(contextNeeded, contextNeededAfter(upstream, model));
      // The per-minute cap covers every free model: wait for it (at the top of the loop) and retry this one.
      if (failure.routing === 'minute-cap' && blockingAccountLimit(store, now(), resilience.maxWaitMs) === undefined) {
        // If MAX_ATTEMPTS runs out first, the cap is the answer: a 429 with its reset time.
        lastError = { model, error: upstream };
        continue;
      }
      const stop = stopFor(upstream, store, now());
      if (stop !== undefined) throw withRetryAfter(stop, now(), upstream.retryAt, 60);
      if (!plan.fallback) throw withRetryAfter(upstream, now(), upstream.retryAt, 60);
      // "This model cannot do that" is a poorer explanation than an earlier real failure.
      if (lastError === undefined || failure.routing !== 'unsupported') lastError = { model, error: upstream };
      index++;
    }
  }
  if (lastError === undefined || walk.probing) throw allCoolingDown(plan.cooling ?? plan.candidates, store, now(), walk.probing);
  const { model, error } = lastError;
  const capped = attempts >= resilience.maxAttempts && plan.candidates.length > attempts ? ` (MAX_ATTEMPTS=${resilience.maxAttempts})` : '';
  const failed = new HttpError(error.status, `all ${attempts} models tried failed${capped}; last error (${model.id}): ${error.message}`, { cause: error, headers: error.headers });
  throw withRetryAfter(failed, now(), soonestCooldown(plan.candidates, store) ?? error.retryAt, 60);
}

// Waits out the per-minute cap; of the requests it releases, the first goes alone (lift-gate.ts) and
// returns the release to call once its outcome is recorded.
async function waitForMinuteCap(deps: WalkDeps, signal: AbortSignal): Promise<(() => void) | undefined> {
  for (;;) {
    const minute = deps.store.accountLimit('free-minute', deps.now());
    if (minute === undefined) return undefined;
    deps.logger.info('waiting for the per-minute free-model limit to lift', { until: new Date(minute.resetAt).toISOString() });
    await deps.resilience.waits.wait(minute.resetAt, signal, "OpenRouter's per-minute free-model request limit is reached (free-models-per-min)");
    const release = await deps.resilience.lifts.pass(minute.resetAt, signal);
    if (release !== undefined) return release;
  }
}
