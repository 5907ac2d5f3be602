import type { Resilience } from '../routing/resilience.ts';
import { SAVING_KINDS } from '../routing/savings.ts';

/** The part of `GET /status` about outages, bursts, waiting requests, probes, today's free requests and the requests saved (nothing when off). */
export function resilienceStatus(resilience: Resilience | undefined, now: number) {
  if (resilience === undefined) return {};
  const iso = (ms: number) => new Date(ms).toISOString();
  const outage = resilience.outage.current();
  const burst = resilience.burst.current(now);
  const waiting = resilience.waits.waiting();
  const usage = resilience.usage?.status();
  const saved = resilience.savings.today().counts;
  return {
    outage: outage === undefined
      ? { active: false }
      : { active: true, since: iso(outage.since), kind: outage.signal === 'auth' ? '401' : '5xx/network', models: outage.models, last_error: outage.lastCause, retry_after_seconds: resilience.outage.retryAfterSeconds() },
    rate_limit_burst: burst === undefined ? { active: false } : { active: true, since: iso(burst.since), last_rate_limit_at: iso(burst.lastRateLimitAt), next_probe_at: iso(burst.nextProbeAt) },
    waiting: { requests: waiting.count, ...(waiting.nextReleaseAt === undefined ? {} : { next_release_at: iso(waiting.nextReleaseAt) }), max_wait_seconds: resilience.maxWaitMs / 1000 },
    probes: resilience.probes.inProgress().map((probe) => ({ model: probe.model, since: iso(probe.since), seconds: Math.max(0, Math.round((now - probe.since) / 1000)) })),
    max_attempts: resilience.maxAttempts,
    ...(usage === undefined ? {} : { free_requests_today: { used: usage.used, limit: usage.limit ?? null, resets_at: usage.resetsAt } }),
    // Upstream requests not sent today, next to the ones sent (free_requests_today), by reason.
    saved_today: { total: SAVING_KINDS.reduce((sum, kind) => sum + saved[kind], 0), ...saved },
  };
}
