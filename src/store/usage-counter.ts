import type { DatabaseSync } from 'node:sqlite';
import { openDatabase } from './open-database.ts';

/** The free-model requests counted on one UTC day (`YYYY-MM-DD`). */
export interface DayCount {
  day: string;
  count: number;
}

/** A per-UTC-day counter of free-model requests, persisted so it survives restarts. */
export interface UsageCounter {
  /**
   * Counts one request on `now`'s UTC day and returns the new total. A failed write is reported to
   * `onWriteError` and the memory copy counts on, like the failure store.
   */
  increment(now: number): DayCount;
  /** The count for `now`'s UTC day (0 when nothing was counted yet). */
  today(now: number): DayCount;
  close(): void;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS daily_usage (
    day TEXT PRIMARY KEY,
    count INTEGER NOT NULL
  );
`;

function prepareStatements(db: DatabaseSync) {
  return {
    // RETURNING gives the total after another proxy's increments too, in one statement.
    increment: db.prepare('INSERT INTO daily_usage (day, count) VALUES (?, 1) ON CONFLICT(day) DO UPDATE SET count = count + 1 RETURNING count'),
    read: db.prepare('SELECT count FROM daily_usage WHERE day = ?'),
    // Old days are of no use; keep a week for someone reading the file by hand.
    prune: db.prepare('DELETE FROM daily_usage WHERE day < ?'),
  };
}

/** The UTC day of an epoch-ms time, as `YYYY-MM-DD`. */
export function utcDay(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

/** Opens the counter in the FAILURE_DB file (its own table, its own connection). */
export function openUsageCounter(path: string, options: { now?: () => number; onWriteError?: (error: unknown) => void } = {}): UsageCounter {
  const clock = options.now ?? Date.now;
  const { db, prepared: sql } = openDatabase(path, SCHEMA, prepareStatements, clock);
  const onWriteError = options.onWriteError ?? (() => {});
  let memory: DayCount = { day: '', count: 0 };

  function read(day: string): number {
    try {
      return Number(sql.read.get(day)?.['count'] ?? 0);
    } catch {
      // A locked file: the memory copy is the best answer this moment.
      return memory.day === day ? memory.count : 0;
    }
  }

  return {
    increment(now) {
      const day = utcDay(now);
      const previous = memory.day === day ? memory.count : 0;
      try {
        const count = Number(sql.increment.get(day)?.['count']);
        memory = { day, count };
        if (count === 1) sql.prune.run(utcDay(now - 7 * 86_400_000));
      } catch (error) {
        memory = { day, count: previous + 1 };
        onWriteError(error);
      }
      return memory;
    },
    today(now) {
      const day = utcDay(now);
      const count = Math.max(read(day), memory.day === day ? memory.count : 0);
      return { day, count };
    },
    close() {
      if (db.isOpen) db.close();
    },
  };
}
