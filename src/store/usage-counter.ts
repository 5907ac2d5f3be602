import type { DatabaseSync } from 'node:sqlite';
import { openDatabase, watchDatabaseFile } from './open-database.ts';

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
    add: db.prepare('INSERT INTO daily_usage (day, count) VALUES (?, ?) ON CONFLICT(day) DO UPDATE SET count = count + excluded.count RETURNING count'),
    read: db.prepare('SELECT count FROM daily_usage WHERE day = ?'),
    // Old days are of no use; keep a week for someone reading the file by hand.
    prune: db.prepare('DELETE FROM daily_usage WHERE day < ?'),
  };
}

/** The UTC day of an epoch-ms time, as `YYYY-MM-DD`. */
export function utcDay(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

// Counting is on every free request's path; a write per request cost more than the rest of the
// routing. Increments are added up in memory and written at most this often (and on close), as one
// `count = count + n`, which also keeps two proxies sharing the file counting together.
const FLUSH_EVERY_MS = 1_000;

/** Opens the counter in the FAILURE_DB file (its own table, its own connection). */
export function openUsageCounter(
  path: string,
  options: { now?: () => number; onWriteError?: (error: unknown) => void; onWarning?: (message: string) => void } = {},
): UsageCounter {
  const clock = options.now ?? Date.now;
  let { db, prepared: sql } = openDatabase(path, SCHEMA, prepareStatements, clock);
  const onWriteError = options.onWriteError ?? (() => {});
  const file = watchDatabaseFile(path);
  // The last total read from the file, plus what this process counted since (not yet written).
  let memory: DayCount = { day: '', count: 0 };
  let pending = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  // The file was deleted or replaced under the open connection (see the failure store): open the
  // path afresh; today's whole count is written into it at this flush.
  function reopenIfMoved(): void {
    if (!file.changed()) return;
    const fresh = openDatabase(path, SCHEMA, prepareStatements, clock);
    db.close();
    ({ db, prepared: sql } = fresh);
    file.reset();
    pending = memory.count;
    options.onWarning?.(`FAILURE_DB "${path}" was deleted or replaced while the proxy ran; opened it afresh and saved today's count (${memory.count}) into it`);
  }

  function flush(): void {
    clearTimeout(timer);
    timer = undefined;
    if (pending === 0) return;
    if (!db.isOpen) return onWriteError(new Error('the failure database is closed'));
    try {
      reopenIfMoved();
    } catch (error) {
      // Kept pending, like any failed write: the next flush tries again.
      return onWriteError(error);
    }
    const adding = pending;
    try {
      const count = Number(sql.add.get(memory.day, adding)?.['count']);
      pending = 0;
      memory = { day: memory.day, count };
      if (count === adding) sql.prune.run(utcDay(Date.parse(memory.day) - 7 * 86_400_000));
    } catch (error) {
      // Kept pending: the next flush tries again; the memory copy counts on meanwhile.
      onWriteError(error);
    }
  }

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
      if (memory.day !== day) {
        flush();
        pending = 0;
        memory = { day, count: read(day) };
      }
      pending++;
      memory = { day, count: memory.count + 1 };
      timer ??= setTimeout(flush, FLUSH_EVERY_MS).unref();
      return memory;
    },
    today(now) {
      const day = utcDay(now);
      if (memory.day === day) flush();
      const count = Math.max(read(day), memory.day === day ? memory.count : 0);
      return { day, count };
    },
    close() {
      flush();
      if (db.isOpen) db.close();
    },
  };
}
