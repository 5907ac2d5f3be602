import type { Logger } from '../logger.ts';
import type { RoutedEvent } from './attempt-outcome.ts';
import type { UsageCounter } from '../store/usage-counter.ts';

export interface DailyUsageOptions {
  counter: UsageCounter;
  /** The account's daily free-model limit, once known from GET /key. */
  dailyLimit: () => number | undefined;
  now: () => number;
  logger: Logger;
}

/** Today's free-model requests against the account's limit, for /status. */
export interface DailyUsageStatus {
  used: number;
  limit: number | undefined;
  /** Next 00:00 UTC, as an ISO string: when OpenRouter resets the daily count. */
  resetsAt: string;
}

export interface DailyUsage {
  /** Counts one free-model request sent upstream; warns once a day when 80 % of the limit is used. */
  recordFreeRequest(): void;
  status(): DailyUsageStatus;
}

const WARN_FRACTION = 0.8;

/** Builds the daily free-request meter over the persisted counter. */
export function createDailyUsage(options: DailyUsageOptions): DailyUsage {
  const { counter, now, logger } = options;
  // The day the 80 % warning was given; restarting does not repeat it unless the count crosses again.
  let warnedDay: string | undefined;
  return {
    recordFreeRequest() {
      const { day, count } = counter.increment(now());
      const limit = options.dailyLimit();
      if (limit === undefined || warnedDay === day) return;
      // Exactly at the crossing, so a restart past 80 % does not warn again for the same day.
      if (count === Math.ceil(limit * WARN_FRACTION)) {
        warnedDay = day;
        logger.warn('80 % of the daily free-model requests used', { used: count, limit, resetsAt: nextUtcMidnight(now()) });
      }
    },
    status() {
      const at = now();
      return { used: counter.today(at).count, limit: options.dailyLimit(), resetsAt: nextUtcMidnight(at) };
    },
  };
}

function nextUtcMidnight(now: number): string {
  const date = new Date(now);
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 1)).toISOString();
}

/** Counts every attempt sent to a free model, as OpenRouter counts it against the day. */
export function dailyUsageListener(usage: DailyUsage): (event: RoutedEvent) => void {
  return (event) => {
    if (event.kind === 'started' && event.model.free) usage.recordFreeRequest();
  };
}
