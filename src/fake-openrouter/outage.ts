// Account-wide outages: for a time window every model fails the same way, then the fake heals by itself.
import { preResponseReply, rateLimitReply } from './faults.ts';
import type { ErrorReply } from './errors.ts';
import type { OutageOptions, OutageStatus } from './types.ts';

export interface OutageDecision {
  // 'reset' drops the connection before any header; 'reply' sends the error.
  action: 'reset' | 'reply';
  reply?: ErrorReply;
}

export interface OutageSwitch {
  start(options: OutageOptions, nowMs: number): OutageStatus;
  // What to do with a request to `route` ('inference' or 'read') for `modelId`, or undefined when it may pass.
  check(route: 'inference' | 'read', nowMs: number, modelId?: string): OutageDecision | undefined;
  status(nowMs: number): OutageStatus;
  // Resolves when the current outage ends (at once when none is active).
  ended(): Promise<OutageStatus>;
  end(): void;
}

/** Validates a control-surface outage body; returns the options or an error message. */
export function parseOutageOptions(body: unknown): OutageOptions | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'expected a JSON object';
  const b = body as Record<string, unknown>;
  const status = b['status'];
  if (status !== 'reset' && status !== 500 && status !== 502 && status !== 503 && status !== 401 && status !== 429) {
    return 'status must be 500, 502, 503, 401, 429 or "reset"';
  }
  const durationMs = b['durationMs'];
  if (typeof durationMs !== 'number' || !Number.isFinite(durationMs) || durationMs <= 0) return 'durationMs must be a positive number';
  const retry = b['retryAfterSeconds'];
  if (retry !== undefined && (typeof retry !== 'number' || !Number.isInteger(retry) || retry < 0)) return 'retryAfterSeconds must be a whole number';
  const message = b['message'];
  if (message !== undefined && typeof message !== 'string') return 'message must be a string';
  const includeReadRoutes = b['includeReadRoutes'];
  if (includeReadRoutes !== undefined && typeof includeReadRoutes !== 'boolean') return 'includeReadRoutes must be a boolean';
  return { status, durationMs, ...(retry === undefined ? {} : { retryAfterSeconds: retry }),
    ...(message === undefined ? {} : { message }), ...(includeReadRoutes === undefined ? {} : { includeReadRoutes }) };
}

// A 401 outage looks like a revoked key ("User not found."); 5xx ones use OpenRouter's stock messages; a
// 429 is a burst of provider rate limits, each naming its model ("... is temporarily rate-limited upstream").
function outageReply(options: OutageOptions, modelId: string): ErrorReply | undefined {
  if (options.status === 'reset') return undefined;
  if (options.status === 429) {
    return rateLimitReply({ kind: 'rate-limit', scope: 'upstream', ...(options.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: options.retryAfterSeconds }) }, modelId, 0);
  }
  const fault = {
    kind: 'http' as const, status: options.status,
    ...(options.message === undefined ? {} : { message: options.message }),
    ...(options.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: options.retryAfterSeconds }),
  };
  return preResponseReply(fault, '', undefined, 0);
}

/** Creates the outage switch of one fake; a timer ends each outage on its own. */
export function createOutageSwitch(): OutageSwitch {
  let current: { options: OutageOptions; endsAt: number; timer: NodeJS.Timeout } | undefined;
  let refused = 0;
  // The scheduled end of the current or last outage, still reported after it ends.
  let endsAt: number | null = null;
  let waiters: Array<(status: OutageStatus) => void> = [];
  const snapshot = (nowMs: number): OutageStatus => ({
    active: current !== undefined && nowMs < current.endsAt,
    endsAt,
    refused,
  });
  const finish = (): void => {
    if (current === undefined) return;
    clearTimeout(current.timer);
    const done: OutageStatus = { active: false, endsAt: current.endsAt, refused };
    current = undefined;
    const settled = waiters;
    waiters = [];
    for (const resolve of settled) resolve(done);
  };
  return {
    start(options, nowMs) {
      finish();
      refused = 0;
      // unref: an outage left running must not keep a test process alive.
      const timer = setTimeout(finish, options.durationMs).unref();
      endsAt = nowMs + options.durationMs;
      current = { options, endsAt, timer };
      return snapshot(nowMs);
    },
    check(route, nowMs, modelId = '') {
      if (current === undefined || nowMs >= current.endsAt) return undefined;
      if (route === 'read' && current.options.includeReadRoutes !== true) return undefined;
      refused++;
      const reply = outageReply(current.options, modelId);
      return reply === undefined ? { action: 'reset' } : { action: 'reply', reply };
    },
    status: snapshot,
    ended() {
      if (current === undefined) return Promise.resolve({ active: false, endsAt, refused });
      return new Promise((resolve) => waiters.push(resolve));
    },
    end: finish,
  };
}
