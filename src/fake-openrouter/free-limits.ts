// OpenRouter's account-wide caps on `:free` models: N requests per minute and M per UTC day, for all keys.
import { rateLimitReply } from './faults.ts';
import type { ErrorReply } from './errors.ts';
import type { FreeLimits } from './types.ts';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

export interface FreeLimiter {
  // Counts a request to `modelId`; returns the 429 once a cap is used up (refused requests do not count).
  admit(modelId: string, nowMs: number, highBalance: boolean): ErrorReply | undefined;
  reset(): void;
}

interface Window {
  start: number;
  used: number;
}

// Windows are aligned to multiples of their length since the epoch: whole minutes and UTC days, as upstream.
function windowAt(current: Window, lengthMs: number, nowMs: number): Window {
  const start = Math.floor(nowMs / lengthMs) * lengthMs;
  return current.start === start ? current : { start, used: 0 };
}

/** A limiter for the given caps; with no caps configured it admits everything. */
export function createFreeLimiter(limits: () => FreeLimits | undefined): FreeLimiter {
  let minute: Window = { start: 0, used: 0 };
  let day: Window = { start: 0, used: 0 };
  return {
    admit(modelId, nowMs, highBalance) {
      const caps = limits();
      if (caps === undefined || !modelId.endsWith(':free')) return undefined;
      const minuteMs = caps.minuteWindowMs ?? MINUTE_MS;
      minute = windowAt(minute, minuteMs, nowMs);
      day = windowAt(day, DAY_MS, nowMs);
      // The daily cap is the one that names the remedy, so it wins when both are used up.
      if (caps.perDay !== undefined && day.used >= caps.perDay) {
        const scope = highBalance ? 'per-day-high-balance' : 'per-day';
        return rateLimitReply({ kind: 'rate-limit', scope, resetAt: day.start + DAY_MS }, modelId, nowMs, caps.perDay);
      }
      if (caps.perMinute !== undefined && minute.used >= caps.perMinute) {
        return rateLimitReply({ kind: 'rate-limit', scope: 'per-min', resetAt: minute.start + minuteMs }, modelId, nowMs, caps.perMinute);
      }
      minute.used++;
      day.used++;
      return undefined;
    },
    reset() {
      minute = { start: 0, used: 0 };
      day = { start: 0, used: 0 };
    },
  };
}
