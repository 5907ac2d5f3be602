import type { DatabaseSync, SQLOutputValue } from 'node:sqlite';
import { openDatabase, watchDatabaseFile } from './open-database.ts';

export { StoreOpenError } from './open-database.ts';

/**
 * Thrown by a write that reached memory but not the database (SQLITE_BUSY past the busy timeout, a
 * full disk, a closed store). This process still honours the new state until it next reloads the
 * file (after another proxy's write); other proxies and a restart never see it. Callers on a request
 * path log it and carry on.
 */
export class StoreWriteError extends Error {
  override name = 'StoreWriteError';
}

/** Why a model failed: anything, a 429, or a model OpenRouter no longer serves. */
export type FailureKind = 'general' | 'rate-limit' | 'gone';

/** A model's run of consecutive failures and the cooldown it earned (times are epoch ms). */
export interface ModelFailure {
  model: string;
  kind: FailureKind;
  count: number;
  lastFailureAt: number;
  cooldownUntil: number;
}

/** Which OpenRouter free-tier quota an account-wide limit belongs to. */
export type AccountLimitScope = 'free-daily' | 'free-minute';

/** An account-wide limit that makes every free model fail until `resetAt` (epoch ms). */
export interface AccountLimit {
  scope: AccountLimitScope;
  resetAt: number;
  message: string;
}

/** Model cooldowns and account limits, read from memory and written through to SQLite shared with other proxies. */
export interface FailureStore {
  /** Fast, in-memory: true when the model is cooling down at `now`. Must not touch the disk on the hot path. */
  isCoolingDown(model: string, now: number): boolean;
  /** The model's failure record, if it has one. */
  get(model: string): ModelFailure | undefined;
  /**
   * Records a failure; `count` becomes previous count + 1 (consecutive failures, whatever the kind).
   * `cooldownUntil` is computed by the caller (routing policy), passed as a function of the new count.
   * Returns the stored record; throws StoreWriteError (after updating memory) when the disk write fails.
   */
  recordFailure(model: string, kind: FailureKind, now: number, cooldownUntil: (count: number) => number): ModelFailure;
  /** Clears the model's state; a no-op without disk I/O when the model has no state. Throws StoreWriteError like recordFailure. */
  recordSuccess(model: string): void;
  /** Every model still cooling down at `now`, soonest end first. */
  activeCooldowns(now: number): ModelFailure[];
  /** Records (or replaces) the limit for its scope. Throws StoreWriteError like recordFailure. */
  setAccountLimit(limit: AccountLimit): void;
  /** The account limit in force at `now` for a scope (expired ones are ignored, and deleted lazily). */
  accountLimit(scope: AccountLimitScope, now: number): AccountLimit | undefined;
  /** Closes the database; safe to call twice. */
  close(): void;
}

/** An opened store plus warnings (e.g. a corrupt file was moved aside) for the caller to log. */
export interface OpenStoreResult {
  store: FailureStore;
  warnings: string[];
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS model_failures (
    model TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    count INTEGER NOT NULL,
    last_failure_at INTEGER NOT NULL,
    cooldown_until INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS account_limits (
    scope TEXT PRIMARY KEY,
    reset_at INTEGER NOT NULL,
    message TEXT NOT NULL
  );
`;

// Another proxy's writes show up within this long; checking costs one PRAGMA, so once a second is plenty.
const SYNC_INTERVAL_MS = 1000;

function prepareStatements(db: DatabaseSync) {
  return {
    dataVersion: db.prepare('PRAGMA data_version'),
    allFailures: db.prepare('SELECT * FROM model_failures'),
    allLimits: db.prepare('SELECT * FROM account_limits'),
    begin: db.prepare('BEGIN IMMEDIATE'),
    commit: db.prepare('COMMIT'),
    rollback: db.prepare('ROLLBACK'),
    failureCount: db.prepare('SELECT count FROM model_failures WHERE model = ?'),
    upsertFailure: db.prepare(`
      INSERT INTO model_failures (model, kind, count, last_failure_at, cooldown_until) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT(model) DO UPDATE SET kind = excluded.kind, count = excluded.count,
        last_failure_at = excluded.last_failure_at, cooldown_until = excluded.cooldown_until`),
    deleteFailure: db.prepare('DELETE FROM model_failures WHERE model = ?'),
    upsertLimit: db.prepare(`
      INSERT INTO account_limits (scope, reset_at, message) VALUES (?, ?, ?)
      ON CONFLICT(scope) DO UPDATE SET reset_at = excluded.reset_at, message = excluded.message`),
    // Conditional so a lazy delete never removes a fresher limit another proxy just wrote.
    deleteExpiredLimit: db.prepare('DELETE FROM account_limits WHERE scope = ? AND reset_at <= ?'),
  };
}

export interface FailureStoreOptions {
  now?: () => number;
  busyTimeoutMs?: number;
  /** Told when the file was deleted or replaced while open, and what was done about it. */
  onWarning?: (message: string) => void;
}

/** Opens (creating if needed) the failure database at `path`; throws StoreOpenError when it cannot, recovers from corruption. */
export function openFailureStore(path: string, options: FailureStoreOptions = {}): OpenStoreResult {
  const clock = options.now ?? Date.now;
  const opened = openDatabase(path, SCHEMA, prepareStatements, clock, options.busyTimeoutMs);
  let { db, prepared: sql } = opened;
  const { warnings } = opened;
  const file = watchDatabaseFile(path);
  let reopenFailed = false;
  const failures = new Map<string, ModelFailure>();
  const limits = new Map<AccountLimitScope, AccountLimit>();
  let dataVersion = 0;
  let lastCheckAt = 0;

  function reload(): void {
    failures.clear();
    for (const row of sql.allFailures.all()) failures.set(String(row['model']), toModelFailure(row));
    limits.clear();
    for (const row of sql.allLimits.all()) {
      const limit = toAccountLimit(row);
      if (limit) limits.set(limit.scope, limit);
    }
  }

  // A file deleted (or replaced) under the open connection: writes would go to a file nobody can
  // see and be lost at restart. Open the path afresh and write what memory holds into it.
  function reopenIfMoved(): void {
    if (!db.isOpen || !file.changed()) return;
    try {
      const fresh = openDatabase(path, SCHEMA, prepareStatements, clock, options.busyTimeoutMs);
      db.close();
      ({ db, prepared: sql } = fresh);
      file.reset();
      for (const f of failures.values()) sql.upsertFailure.run(f.model, f.kind, f.count, f.lastFailureAt, f.cooldownUntil);
      for (const limit of limits.values()) sql.upsertLimit.run(limit.scope, limit.resetAt, limit.message);
      dataVersion = Number(sql.dataVersion.get()?.['data_version']);
      reopenFailed = false;
      options.onWarning?.(`FAILURE_DB "${path}" was deleted or replaced while the proxy ran; opened it afresh and saved ${failures.size} cooldowns and ${limits.size} account limits into it`);
    } catch (error) {
      // Memory stays the truth; tried again at the next check, and reported once until it works.
      if (!reopenFailed) options.onWarning?.(`FAILURE_DB "${path}" was deleted or replaced while the proxy ran, and cannot be opened again: ${error instanceof Error ? error.message : String(error)}; routing continues from memory`);
      reopenFailed = true;
    }
  }

  // data_version changes only when another connection commits, so our own writes never force a reload.
  function syncWithOtherProcesses(): void {
    const t = clock();
    // A clock that jumped backwards must not postpone the next check until it catches up again.
    if (t - lastCheckAt < SYNC_INTERVAL_MS && t >= lastCheckAt) return;
    lastCheckAt = t;
    reopenIfMoved();
    try {
      const version = Number(sql.dataVersion.get()?.['data_version']);
      if (version === dataVersion) return;
      dataVersion = version;
      reload();
    } catch {
      // A closed or locked database: answering from memory (possibly a second stale) beats failing a request.
    }
  }

  const writeError = (what: string, error: unknown) =>
    new StoreWriteError(`FAILURE_DB: cannot save ${what}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });

  function activeCooldowns(now: number): ModelFailure[] {
    syncWithOtherProcesses();
    return [...failures.values()]
      .filter((f) => f.cooldownUntil > now)
      .sort((a, b) => a.cooldownUntil - b.cooldownUntil || a.model.localeCompare(b.model));
  }

  // Read the version before loading: a commit landing in between then triggers one more reload, not a missed one.
  dataVersion = Number(sql.dataVersion.get()?.['data_version']);
  reload();
  lastCheckAt = clock();

  const store: FailureStore = {
    isCoolingDown(model, now) {
      syncWithOtherProcesses();
      return (failures.get(model)?.cooldownUntil ?? 0) > now;
    },
    get(model) {
      syncWithOtherProcesses();
      return failures.get(model);
    },
    recordFailure(model, kind, now, cooldownUntil) {
      let failure: ModelFailure | undefined;
      try {
        // Read-compute-write inside one write transaction so two proxies never both write count N+1.
        sql.begin.run();
        try {
          const count = Number(sql.failureCount.get(model)?.['count'] ?? 0) + 1;
          failure = { model, kind, count, lastFailureAt: now, cooldownUntil: cooldownUntil(count) };
          sql.upsertFailure.run(model, kind, count, now, failure.cooldownUntil);
          sql.commit.run();
        } catch (error) {
          // A failed COMMIT may already have rolled back; a second ROLLBACK would hide the real error.
          if (db.isTransaction) sql.rollback.run();
          throw error;
        }
      } catch (error) {
        // A bug in the policy is the caller's to see, and nothing was computed to keep.
        if (failure === undefined && !isDatabaseError(error)) throw error;
        const count = (failures.get(model)?.count ?? 0) + 1;
        failures.set(model, failure ?? { model, kind, count, lastFailureAt: now, cooldownUntil: cooldownUntil(count) });
        throw writeError(`the failure of ${model}`, error);
      }
      failures.set(model, failure);
      return failure;
    },
    recordSuccess(model) {
      if (!failures.has(model)) return;
      failures.delete(model);
      try {
        sql.deleteFailure.run(model);
      } catch (error) {
        throw writeError(`the recovery of ${model}`, error);
      }
    },
    activeCooldowns,
    setAccountLimit(limit) {
      limits.set(limit.scope, { ...limit });
      try {
        sql.upsertLimit.run(limit.scope, limit.resetAt, limit.message);
      } catch (error) {
        throw writeError(`the ${limit.scope} account limit`, error);
      }
    },
    accountLimit(scope, now) {
      syncWithOtherProcesses();
      const limit = limits.get(scope);
      if (!limit || limit.resetAt > now) return limit;
      limits.delete(scope);
      try {
        sql.deleteExpiredLimit.run(scope, now);
      } catch {
        // Only housekeeping: an expired row is ignored when read back, so a locked database can keep it.
      }
      return undefined;
    },
    close() {
      if (db.isOpen) db.close();
    },
  };
  return { store, warnings };
}

// node:sqlite errors carry SQLite's result code; anything else thrown inside a write is not the database's.
function isDatabaseError(error: unknown): boolean {
  return typeof (error as { errcode?: unknown } | null)?.errcode === 'number' || (error as { code?: unknown } | null)?.code === 'ERR_INVALID_STATE';
}

const FAILURE_KINDS: readonly string[] = ['general', 'rate-limit', 'gone'] satisfies FailureKind[];
const LIMIT_SCOPES: readonly string[] = ['free-daily', 'free-minute'] satisfies AccountLimitScope[];

function toModelFailure(row: Record<string, SQLOutputValue>): ModelFailure {
  const kind = String(row['kind']);
  return {
    model: String(row['model']),
    // A newer proxy sharing the file may know kinds we don't; the count and cooldown still apply.
    kind: FAILURE_KINDS.includes(kind) ? (kind as FailureKind) : 'general',
    count: Number(row['count']),
    lastFailureAt: Number(row['last_failure_at']),
    cooldownUntil: Number(row['cooldown_until']),
  };
}

function toAccountLimit(row: Record<string, SQLOutputValue>): AccountLimit | undefined {
  const scope = String(row['scope']);
  // A scope we don't know is not ours to enforce.
  if (!LIMIT_SCOPES.includes(scope)) return undefined;
  return { scope: scope as AccountLimitScope, resetAt: Number(row['reset_at']), message: String(row['message']) };
}
