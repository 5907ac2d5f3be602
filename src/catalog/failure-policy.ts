import { HttpError } from '../http/errors.ts';
import type { UpstreamError } from '../openrouter/upstream-error.ts';
import type { FailureStore } from '../store/failure-store.ts';
import type { CatalogModel } from './model-info.ts';

export interface CooldownSettings {
  failureCooldownMs: number;
  rateLimitCooldownMs: number;
  now: () => number;
}

const MAX_BACKOFF_STEPS = 5;
const GONE_MINIMUM_MS = 60 * 60_000;
const MINUTE_CAP_FALLBACK_MS = 60_000;

/**
 * Records what a failed attempt means for the model and the account. Returns the error to stop
 * with when no other model could succeed, or undefined when the next model should be tried.
 */
export function applyFailure(store: FailureStore, model: CatalogModel, error: UpstreamError, settings: CooldownSettings, nextCatalogRefreshAt: number): HttpError | undefined {
  const at = settings.now();
  switch (error.failure) {
    case 'transient':
      store.recordFailure(model.id, 'general', at, (count) => at + settings.failureCooldownMs * Math.min(count, MAX_BACKOFF_STEPS));
      return undefined;
    case 'rate-limit':
      store.recordFailure(model.id, 'rate-limit', at, () => error.retryAt ?? at + settings.rateLimitCooldownMs);
      return undefined;
    case 'gone':
      // A retired model will not come back by itself; wait at least for the catalog to drop it.
      store.recordFailure(model.id, 'gone', at, () => Math.max(nextCatalogRefreshAt, at + GONE_MINIMUM_MS));
      return undefined;
    case 'unsupported':
      return undefined;
    case 'daily-cap':
    case 'minute-cap': {
      const scope = error.failure === 'daily-cap' ? 'free-daily' : 'free-minute';
      const resetAt = error.retryAt ?? (scope === 'free-daily' ? nextUtcMidnight(at) : at + MINUTE_CAP_FALLBACK_MS);
      store.setAccountLimit({ scope, resetAt, message: error.message });
      return accountLimitError(store, at) ?? error;
    }
    case 'fatal':
      return error;
  }
}

/** The 429 to answer while an account-wide free-model limit is in force, else undefined. */
export function accountLimitError(store: FailureStore, now: number): HttpError | undefined {
  const daily = store.accountLimit('free-daily', now);
  if (daily !== undefined) {
    return limitError(daily.resetAt, now,
      `OpenRouter's daily free-model request limit is used up (free-models-per-day); it resets at ${utc(daily.resetAt)}. ` +
        'To raise it from 50 to 1000 requests a day, buy at least 10 credits at https://openrouter.ai/credits; or set FREE_MODE=false to use paid models.');
  }
  const minute = store.accountLimit('free-minute', now);
  if (minute !== undefined) {
    return limitError(minute.resetAt, now, `OpenRouter's per-minute free-model request limit is reached (free-models-per-min); retry after ${utc(minute.resetAt)}.`);
  }
  return undefined;
}

function limitError(resetAt: number, now: number, message: string): HttpError {
  return new HttpError(429, message, { headers: { 'Retry-After': String(Math.max(1, Math.ceil((resetAt - now) / 1000))) } });
}

function utc(epochMs: number): string {
  return `${new Date(epochMs).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '')} UTC`;
}

function nextUtcMidnight(now: number): number {
  const date = new Date(now);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 1);
}
