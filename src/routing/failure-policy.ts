import type { CatalogModel } from '../catalog/model-info.ts';
import { AccountLimitError, HttpError, type UpstreamError } from '../errors.ts';
import type { FailureStore } from '../store/failure-store.ts';
import { isContextOverflow } from './context-fit.ts';

export interface CooldownSettings {
  failureCooldownMs: number;
  rateLimitCooldownMs: number;
  now: () => number;
}

const MAX_BACKOFF_STEPS = 5;
const GONE_MINIMUM_MS = 60 * 60_000;
const MINUTE_CAP_FALLBACK_MS = 60_000;

/**
 * Writes what a failed attempt means for the model (a cooldown) and the account (a free-tier cap).
 * Pure policy over the store: whether the walk goes on is `stopFor`'s to say.
 */
export function applyFailure(store: FailureStore, model: CatalogModel, error: UpstreamError, settings: CooldownSettings, nextCatalogRefreshAt: number): void {
  const at = settings.now();
  switch (routingClassOf(error)) {
    case 'transient':
      // A 503 that says when to come back means exactly that, not the general backoff.
      store.recordFailure(model.id, 'general', at, (count) => announcedRetry(error, at) ?? at + settings.failureCooldownMs * Math.min(count, MAX_BACKOFF_STEPS));
      return;
    case 'rate-limit':
      store.recordFailure(model.id, 'rate-limit', at, () => announcedRetry(error, at) ?? at + settings.rateLimitCooldownMs);
      return;
    case 'gone':
      // A retired model will not come back by itself; wait at least for the catalog to drop it.
      store.recordFailure(model.id, 'gone', at, () => Math.max(nextCatalogRefreshAt, at + GONE_MINIMUM_MS));
      return;
    case 'daily-cap':
    case 'minute-cap': {
      const daily = error.failure === 'daily-cap';
      const given = error.retryAt !== undefined && error.retryAt > at ? error.retryAt : undefined;
      const resetAt = given ?? (daily ? nextUtcMidnight(at) : at + MINUTE_CAP_FALLBACK_MS);
      store.setAccountLimit({ scope: daily ? 'free-daily' : 'free-minute', resetAt, message: error.message });
      return;
    }
    // Unreachable: every model is served from the same host, so trying the next fails the same way,
    // and cooling each down would leave nothing to route to for minutes after the network returns.
    // Unsupported and moderation concern this request, not the model; fatal ones concern the account.
    case 'unreachable':
    case 'unsupported':
    case 'moderation':
    case 'fatal':
      return;
  }
}

/**
 * The error to stop the walk with when no other model could succeed (the account is capped, the key
 * is refused, OpenRouter cannot be reached), or undefined when the next model should be tried.
 * Runs after `applyFailure`, so a cap just recorded is in the store.
 */
export function stopFor(error: UpstreamError, store: FailureStore, now: number): HttpError | undefined {
  switch (routingClassOf(error)) {
    case 'unreachable':
    case 'fatal':
      return error;
    case 'daily-cap':
    case 'minute-cap':
      return accountLimitError(store, now) ?? error;
    default:
      return undefined;
  }
}

// When the upstream said the model is back (Retry-After on a 429 or 503, or a rate-limit reset), if
// still ahead. Only 429s and 5xx reach here with it, and the client shows a 503 as 502, so the status
// cannot tell them apart: the header itself is the signal.
function announcedRetry(error: UpstreamError, at: number): number | undefined {
  return error.retryAt !== undefined && error.retryAt > at ? error.retryAt : undefined;
}

/** The client's failure classes, plus `unreachable`: OpenRouter itself could not be reached. */
export type RoutingClass = UpstreamError['failure'] | 'unreachable';

// Connection errors that mean OpenRouter itself cannot be reached (as opposed to a connection it dropped).
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ENETDOWN', 'EHOSTDOWN', 'UND_ERR_CONNECT_TIMEOUT',
  'CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'ERR_TLS_CERT_ALTNAME_INVALID']);


/** Refines the client's classification of a failure with what only routing cares about (see applyFailure). */
export function routingClassOf(error: UpstreamError): RoutingClass {
  if (error.failure === 'transient' && error.status === 502 && UNREACHABLE_CODES.has(causeCode(error) ?? '')) return 'unreachable';
  // A request too long for this model's window is "this model cannot serve it", not a malformed request:
  // a model with a larger window may well succeed (the walk skips the smaller ones: context-fit.ts).
  if (error.failure === 'fatal' && isContextOverflow(error)) return 'unsupported';
  return error.failure;
}

// fetch wraps the socket error: UpstreamError → TypeError('fetch failed') → Error { code }.
function causeCode(error: unknown): string | undefined {
  for (let cause = error, depth = 0; cause !== undefined && cause !== null && depth < 4; depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    cause = (cause as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The 429 to answer while an account-wide free-model limit is in force, else undefined. */
export function accountLimitError(store: FailureStore, now: number): HttpError | undefined {
  const daily = store.accountLimit('free-daily', now);
  if (daily !== undefined) {
    // The high-balance variant is already the 1000-a-day tier: credits cannot raise it further.
    const remedy = /high-balance/i.test(daily.message)
      ? 'This is already the 1000-a-day tier for accounts with credits; wait for the reset, or set FREE_MODE=false to use paid models.'
      : 'To raise it from 50 to 1000 requests a day, buy at least 10 credits at https://openrouter.ai/credits; or set FREE_MODE=false to use paid models.';
    return limitError('free-daily', daily.resetAt, now, `OpenRouter's daily free-model request limit is used up (free-models-per-day); it resets at ${utc(daily.resetAt)}. ${remedy}`);
  }
  const minute = store.accountLimit('free-minute', now);
  if (minute !== undefined) {
    return limitError('free-minute', minute.resetAt, now, `OpenRouter's per-minute free-model request limit is reached (free-models-per-min); retry after ${utc(minute.resetAt)}.`);
  }
  return undefined;
}

function limitError(scope: AccountLimitError['scope'], resetAt: number, now: number, message: string): HttpError {
  return new AccountLimitError(scope, resetAt, message, { 'Retry-After': String(Math.max(1, Math.ceil((resetAt - now) / 1000))) });
}

function utc(epochMs: number): string {
  return `${new Date(epochMs).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '')} UTC`;
}

function nextUtcMidnight(now: number): number {
  const date = new Date(now);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 1);
}

/** When the first of `models` comes back from its cooldown (epoch ms), if any is cooling. */
export function soonestCooldown(models: readonly CatalogModel[], store: FailureStore): number | undefined {
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
