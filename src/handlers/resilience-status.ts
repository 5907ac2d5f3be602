import type { Resilience } from '../routing/resilience.ts';

/** The part of `GET /status` about outages, waiting requests, probes and today's free requests (nothing when off). */
export function resilienceStatus(resilience: Resilience | undefined, now: number) {
  if (resilience === undefined) return {};
  const iso = (ms: number) => new Date(ms).toISOString();
  const outage = resilience.outage.current();
  const waiting = resilience.waits.waiting();
  const usage = resilience.usage?.status();
  return {
    outage: outage === undefined
      ? { active: false }
      : { active: true, since: iso(outage.since), kind: outage.signal === 'auth' ? '401' : '5xx/network', models: outage.models, last_error: outage.lastCause, retry_after_seconds: resilience.outage.retryAfterSeconds() },
    waiting: { requests: waiting.count, ...(waiting.nextReleaseAt === undefined ? {} : { next_release_at: iso(waiting.nextReleaseAt) }), max_wait_seconds: resilience.maxWaitMs / 1000 },
    probes: resilience.probes.inProgress().map((probe) => ({ model: probe.model, since: iso(probe.since), seconds: Math.max(0, Math.round((now - probe.since) / 1000)) })),
    max_attempts: resilience.maxAttempts,
    ...(usage === undefined ? {} : { free_requests_today: { used: usage.used, limit: usage.limit ?? null, resets_at: usage.resetsAt } }),
  };
}
