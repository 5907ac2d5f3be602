// Upstream requests the proxy did not have to send today, by reason: the other half of the free
// quota's economy, next to today's count of requests it did send (daily-usage.ts).

/** Why an upstream request was not sent. */
export type SavingKind =
  /** A session-title request answered locally. */
  | 'session_title'
  /** Anthropic's `count_tokens`, estimated locally. */
  | 'count_tokens'
  /** A prompt refused as larger than any model's context, which would have walked the models. */
  | 'too_large'
  /** A request in a rate-limit burst that probed one model instead of walking them all. */
  | 'burst_walk';

export const SAVING_KINDS: readonly SavingKind[] = ['session_title', 'count_tokens', 'too_large', 'burst_walk'];

/** Today's (UTC) savings; the day is `YYYY-MM-DD`. */
export interface SavingsToday {
  day: string;
  counts: Record<SavingKind, number>;
}

export interface Savings {
  save(kind: SavingKind): void;
  today(): SavingsToday;
}

const zero = (): Record<SavingKind, number> => ({ session_title: 0, count_tokens: 0, too_large: 0, burst_walk: 0 });

/**
 * Counts savings per UTC day, in memory: they are a report, not a limit, so unlike the daily request
 * count they are not persisted and start from zero when the proxy restarts.
 */
export function createSavings(now: () => number): Savings {
  let current: SavingsToday = { day: '', counts: zero() };
  const roll = (): SavingsToday => {
    const day = new Date(now()).toISOString().slice(0, 10);
    if (current.day !== day) current = { day, counts: zero() };
    return current;
  };
  return {
    save(kind) {
      roll().counts[kind]++;
    },
    today() {
      const { day, counts } = roll();
      return { day, counts: { ...counts } };
    },
  };
}
