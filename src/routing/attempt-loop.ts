import { HttpError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { UpstreamError } from '../errors.ts';
import type { FailureStore } from '../store/failure-store.ts';
import { applyFailure, routingClassOf, type CooldownSettings } from './failure-policy.ts';
import type { CatalogModel } from '../catalog/model-info.ts';
import { BurstGoesOn, firstProbeAt, probeInBurst, type WalkReport } from './burst.ts';
import { canHold, contextNeededAfter, isContextOverflow } from './context-fit.ts';
import { attemptSignalOf } from './outage-detector.ts';
import type { Probe } from './probe-gate.ts';
import { blockingAccountLimit, deferCooldowns, outageError, withRetryAfter, type Resilience } from './resilience.ts';

/** The models to try: `candidates` in order, or, when every capable model is cooling down, `cooling` to probe one of. */
export interface AttemptPlan {
  candidates: CatalogModel[];
  fallback: boolean;
  cooling?: CatalogModel[];
  /** Every model that could serve a free-mode chat, cooling or not: in a rate-limit burst the one due back first is probed. */
  capable?: CatalogModel[];
}

export interface AttemptLoopDeps {
  store: FailureStore;
  resilience: Resilience;
  settings: CooldownSettings;
  nextRefreshAt: () => number;
  logger: Logger;
}

export interface AttemptResult<T> {
  value: T;
  model: CatalogModel;
  attempts: number;
}

type Attempt<T> = (model: CatalogModel) => Promise<T>;

interface WalkOptions {
  probing: boolean;
  /** In a burst, a rate limit ends the walk: the models behind it are most likely limited too. */
  stopAtRateLimit?: boolean;
  report: WalkReport;
}

/**
 * Runs `attempt` on the plan's models until one succeeds: at most MAX_ATTEMPTS upstream calls, waiting
 * out a per-minute cap that lifts soon, stopping early (with no cooldowns) when OpenRouter itself is
 * down, and probing the soonest-due cooling model when nothing else is left.
 */
export async function runAttempts<T>(deps: AttemptLoopDeps, plan: AttemptPlan, attempt: Attempt<T>, signal: AbortSignal): Promise<AttemptResult<T>> {
  const { resilience } = deps;
  const admission = resilience.outage.admit();
  if (admission.kind === 'refuse') throw outageError(resilience.outage);
  let probe: Probe | undefined;
  const report: WalkReport = { attempts: 0, rateLimited: 0 };
  try {
    const burst = plan.capable === undefined ? undefined : resilience.burst.current(deps.settings.now());
    if (burst !== undefined && plan.capable !== undefined) {
      // One probe of the model due back first; a rate limit ends the walk (burst.ts).
      return await probeInBurst({ ...deps, now: deps.settings.now }, plan.capable, burst, signal, async (candidates, burstReport) => {
        await waitForRetryAfter(deps, (candidates[0] as CatalogModel).id, signal);
        return walk(deps, { candidates, fallback: true }, attempt, signal, { probing: true, stopAtRateLimit: true, report: burstReport });
      });
    }
    let models = plan.candidates;
    if (models.length === 0 && plan.cooling !== undefined) {
      probe = resilience.probes.claimSoonest(plan.cooling.map((model) => ({ model: model.id, cooldownUntil: deps.store.get(model.id)?.cooldownUntil ?? 0 })));
      if (probe === undefined) throw allCoolingDown(plan.cooling, deps.store, deps.settings.now());
      const probed = probe.model;
      models = plan.cooling.filter((model) => model.id === probed);
      deps.logger.info('probing a cooling model: every model that could serve the request is cooling down', { model: probed });
      await waitForRetryAfter(deps, probed, signal);
    }
    return await walk(deps, { ...plan, candidates: models }, attempt, signal, { probing: probe !== undefined, report });
  } catch (error) {
    // Every model this walk tried was rate limited: a burst begins (or goes on).
    if (report.attempts > 0 && report.rateLimited === report.attempts && !signal.aborted) {
      const now = deps.settings.now();
      resilience.burst.rateLimited(now, firstProbeAt(plan.capable ?? plan.candidates, deps.store, now));
    }
    throw error;
  } finally {
    if (admission.kind === 'trial') admission.release();
    probe?.release();
  }
}

// A probe of a model whose own rate limit lifts within MAX_WAIT_SECONDS waits for it rather than failing again.
async function waitForRetryAfter(deps: AttemptLoopDeps, model: string, signal: AbortSignal): Promise<void> {
  const record = deps.store.get(model);
  const now = deps.settings.now();
  if (record?.kind !== 'rate-limit' || record.cooldownUntil - now > deps.resilience.maxWaitMs) return;
  await deps.resilience.waits.wait(record.cooldownUntil, signal, `${model} is rate limited`);
}

// Cooldowns are written when the walk ends, unless it ended in an outage (which drops them first); a
// request that went first after the per-minute cap lifted lets the others go once its outcome is in.
async function walk<T>(deps: AttemptLoopDeps, plan: AttemptPlan, attempt: Attempt<T>, signal: AbortSignal, options: WalkOptions): Promise<AttemptResult<T>> {
  const cooldowns = deferCooldowns(deps.store);
  const lift: { release?: () => void } = {};
  try {
    return await walkModels(deps, plan, attempt, signal, options, cooldowns, lift);
  } finally {
    cooldowns.flush();
    lift.release?.();
  }
}

async function walkModels<T>(
  deps: AttemptLoopDeps, plan: AttemptPlan, attempt: Attempt<T>, signal: AbortSignal, options: WalkOptions, cooldowns: ReturnType<typeof deferCooldowns>,
  lift: { release?: () => void },
): Promise<AttemptResult<T>> {
  const { resilience, logger, settings } = deps;
  const { probing, report } = options;
  const now = settings.now;
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
      const limit = blockingAccountLimit(deps.store, now(), resilience.maxWaitMs);
      if (limit !== undefined) throw limit;
      if (attempts > 0 && !probing && deps.store.isCoolingDown(model.id, now())) {
        index++;
        continue;
      }
    }
    // The previous attempt's outcome is recorded by now: release whoever waits on it.
    lift.release?.();
    lift.release = model.free ? await waitForMinuteCap(deps, signal) : undefined;
    attempts++;
    report.attempts++;
    if (model.free) resilience.usage?.recordFreeRequest();
    const started = performance.now();
    try {
      const value = await attempt(model);
      // The model began answering: OpenRouter is up, which ends an outage at once (the answer being
      // whole, which also ends a run of mid-stream failures, is recorded when it is).
      resilience.outage.record(model.id, 'started');
      resilience.burst.answered();
      logger.info('attempt', { model: model.id, attempt: attempts, outcome: 'ok', ms: Math.round(performance.now() - started) });
      return { value, model, attempts };
    } catch (error) {
      if (!(error instanceof UpstreamError) || signal.aborted) throw error;
      const outcome = routingClassOf(error);
      logger.info('attempt', { model: model.id, attempt: attempts, outcome, status: error.status, error: error.message, ms: Math.round(performance.now() - started) });
      if (outcome === 'rate-limit') report.rateLimited++;
      const kind = attemptSignalOf(error.status, error.failure, error.provider);
      if (resilience.outage.record(model.id, kind, error.message)) {
        // The failures were OpenRouter's, not the models': none of them earns a cooldown.
        cooldowns.drop();
        throw outageError(resilience.outage);
      }
      const stop = applyFailure(cooldowns.store, model, error, settings, deps.nextRefreshAt());
      // Only failures that could still turn out to be an outage wait; the rest are written now.
      if (!resilience.detectsOutages || kind === 'other') cooldowns.flush();
      if (options.stopAtRateLimit && outcome === 'rate-limit') throw new BurstGoesOn(model.id);
      if (isContextOverflow(error)) contextNeeded = Math.max(contextNeeded, contextNeededAfter(error, model));
      // The per-minute cap covers every free model: wait for it (at the top of the loop) and retry this one.
      if (outcome === 'minute-cap' && blockingAccountLimit(deps.store, now(), resilience.maxWaitMs) === undefined) {
        // If MAX_ATTEMPTS runs out first, the cap is the answer: a 429 with its reset time.
        lastError = { model, error };
        continue;
      }
      if (stop !== undefined) throw withRetryAfter(stop, now(), error.retryAt, 60);
      if (!plan.fallback) throw withRetryAfter(error, now(), error.retryAt, 60);
      // "This model cannot do that" is a poorer explanation than an earlier real failure.
      if (lastError === undefined || outcome !== 'unsupported') lastError = { model, error };
      index++;
    }
  }
  if (lastError === undefined || probing) throw allCoolingDown(plan.cooling ?? plan.candidates, deps.store, now(), probing);
  const { model, error } = lastError;
  const capped = attempts >= resilience.maxAttempts && plan.candidates.length > attempts ? ` (MAX_ATTEMPTS=${resilience.maxAttempts})` : '';
  const failed = new HttpError(error.status, `all ${attempts} models tried failed${capped}; last error (${model.id}): ${error.message}`, { cause: error, headers: error.headers });
  return Promise.reject(withRetryAfter(failed, now(), soonestCooldown(plan.candidates, deps.store) ?? error.retryAt, 60));
}

// Waits out the per-minute cap; of the requests it releases, the first goes alone (lift-gate.ts) and
// returns the release to call once its outcome is recorded.
async function waitForMinuteCap(deps: AttemptLoopDeps, signal: AbortSignal): Promise<(() => void) | undefined> {
  for (;;) {
    const minute = deps.store.accountLimit('free-minute', deps.settings.now());
    if (minute === undefined) return undefined;
    deps.logger.info('waiting for the per-minute free-model limit to lift', { until: new Date(minute.resetAt).toISOString() });
    await deps.resilience.waits.wait(minute.resetAt, signal, "OpenRouter's per-minute free-model request limit is reached (free-models-per-min)");
    const release = await deps.resilience.lifts.pass(minute.resetAt, signal);
    if (release !== undefined) return release;
  }
}

function soonestCooldown(models: readonly CatalogModel[], store: FailureStore): number | undefined {
  const ends = models.map((model) => store.get(model.id)?.cooldownUntil).filter((until): until is number => until !== undefined);
  return ends.length === 0 ? undefined : Math.min(...ends);
}

/** The 503 for "every model that could serve this is cooling down" (after a failed probe, when `probed`). */
export function allCoolingDown(models: readonly CatalogModel[], store: FailureStore, now: number, probed = false): HttpError {
  const soonest = Math.max(now, soonestCooldown(models, store) ?? now);
  const seconds = Math.max(1, Math.ceil((soonest - now) / 1000));
  const probe = probed ? '; a probe of the soonest-due one failed too' : '';
  return new HttpError(503, `all ${models.length} free models that can serve this request are cooling down after failures${probe}; the first is available again at ${new Date(soonest).toISOString()} (see GET /status)`, {
    headers: { 'Retry-After': String(seconds) },
  });
}
