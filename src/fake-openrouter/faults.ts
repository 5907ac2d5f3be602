// Scripted faults: a per-model FIFO, and the error replies of faults that strike before any byte.
import { defaultMessage, errorObject, errorReply, errorType } from './errors.ts';
import type { ErrorObject, ErrorReply } from './errors.ts';
import { moderationReply } from './moderation.ts';
import type { Fault, FakeModel, RateLimitScope } from './types.ts';

export interface FaultQueue {
  script(modelId: string, faults: Fault[]): void;
  // The next fault for this model id, else the next '*' fault; each is used once.
  take(modelId: string): Fault | undefined;
  clear(): void;
}

/** Creates an empty per-model fault queue. */
export function createFaultQueue(): FaultQueue {
  const queues = new Map<string, Fault[]>();
  return {
    script(modelId, faults) {
      const queue = queues.get(modelId) ?? [];
      queue.push(...faults);
      queues.set(modelId, queue);
    },
    take(modelId) {
      return queues.get(modelId)?.shift() ?? queues.get('*')?.shift();
    },
    clear() { queues.clear(); },
  };
}

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

interface PlatformLimit {
  limit: string;
  message: string;
  window: number;
  metadata: Record<string, unknown>;
}

const PLATFORM_LIMITS: Record<Exclude<RateLimitScope, 'upstream'>, PlatformLimit> = {
  'per-day': {
    limit: '50', window: DAY_MS,
    message: 'Rate limit exceeded: free-models-per-day. Add 10 credits to unlock 1000 free model requests per day',
    metadata: {
      limit_source: 'openrouter_free_tier_daily',
      remedy_hint: 'Wait for the daily reset (see X-RateLimit-Reset), or purchase credits to raise your free-model daily limit.',
    },
  },
  'per-day-high-balance': {
    limit: '1000', window: DAY_MS,
    message: 'Rate limit exceeded: free-models-per-day-high-balance. ',
    metadata: { limit_source: 'openrouter_free_tier_daily', remedy_hint: 'Wait for the daily reset (see X-RateLimit-Reset).' },
  },
  'per-min': { limit: '20', window: MINUTE_MS, message: 'Rate limit exceeded: free-models-per-min. ', metadata: {} },
};

function retryHeaders(seconds: number | undefined): Record<string, string> {
  return seconds === undefined ? {} : { 'Retry-After': String(seconds) };
}

/**
 * A 429: platform limits carry X-RateLimit-* (reset in epoch ms, as a string) mirrored in metadata.headers;
 * `limit` overrides the documented cap in X-RateLimit-Limit (a fake configured with smaller caps).
 */
export function rateLimitReply(fault: Extract<Fault, { kind: 'rate-limit' }>, modelId: string, nowMs: number, limit?: number): ErrorReply {
  const retry = retryHeaders(fault.retryAfterSeconds);
  if (fault.scope === 'upstream') {
    return errorReply(429, 'Provider returned error', {
      raw: `${modelId} is temporarily rate-limited upstream. Please retry shortly, or add your own key to accumulate your rate limits: https://openrouter.ai/settings/integrations`,
      provider_name: 'Venice', is_byok: false, provider_error_code: 'engine_overloaded',
      limit_source: 'upstream_provider_shared_pool',
      remedy_hint: 'Retry shortly, add your own provider key, or route to another provider',
    }, retry);
  }
  const platform = PLATFORM_LIMITS[fault.scope];
  // Daily limits reset at the next 00:00 UTC, per-minute ones at the next minute boundary.
  const boundary = (Math.floor(nowMs / platform.window) + 1) * platform.window;
  const resetAt = fault.resetAt ?? (fault.resetInMs === undefined ? boundary : nowMs + fault.resetInMs);
  const headers = { 'X-RateLimit-Limit': limit === undefined ? platform.limit : String(limit), 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(resetAt) };
  return errorReply(429, platform.message, { headers, ...platform.metadata, provider_name: null }, { ...headers, ...retry });
}

// "Meta: Llama 3.3 70B Instruct (free)" → "Llama 3.3 70B Instruct", as in the real message.
function shortName(modelId: string, model: FakeModel | undefined): string {
  const name = model?.name ?? modelId.split('/').pop() ?? modelId;
  return name.replace(/^[^:]*:\s*/, '').replace(/\s*\(free\)$/, '').replace(/:free$/, '');
}

/** The error reply of a fault that strikes before the response starts, or undefined for other kinds. */
export function preResponseReply(
  fault: Fault, modelId: string, model: FakeModel | undefined, nowMs: number, inputText = '',
): ErrorReply | undefined {
  switch (fault.kind) {
    case 'moderation':
      return moderationReply(fault, modelId, model, inputText);
    case 'rate-limit':
      return rateLimitReply(fault, modelId, nowMs);
    case 'http': {
      const metadata = fault.raw === undefined ? undefined
        : { raw: fault.raw, provider_name: fault.providerName ?? 'DeepInfra', is_byok: false };
      const message = fault.message ?? (fault.raw === undefined ? defaultMessage(fault.status, modelId) : 'Provider returned error');
      return errorReply(fault.status, message, metadata, retryHeaders(fault.retryAfterSeconds));
    }
    case 'no-endpoints':
      return errorReply(404, `No endpoints found for ${modelId}.`);
    case 'free-period-ended':
      return errorReply(404, `The free ${shortName(modelId, model)} period has ended. To continue using this model, please migrate to the paid slug: ${modelId.replace(/:free$/, '')}`);
    default:
      return undefined;
  }
}

/** The error object of an in-band (HTTP 200) failure; defaults to a masked 502 provider error. */
export function inBandError(code: number | undefined, message: string | undefined, modelId: string): ErrorObject {
  const status = code ?? 502;
  return errorObject(status, message ?? defaultMessage(status, modelId), { error_type: errorType(status) });
}
