import { existsSync, renameSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

/** Thrown when the FAILURE_DB file cannot be opened or created at all (as opposed to being corrupt, which is recovered from). */
export class StoreOpenError extends Error {
  override name = 'StoreOpenError';
}

/** What `openDatabase` hands back: a ready connection, its prepared statements, and anything the operator should hear about. */
export interface OpenedDatabase<T> {
  db: DatabaseSync;
  prepared: T;
  warnings: string[];
}

// SQLite primary result codes that mean "this file is not (or no longer) a database". Anything else
// (permissions, I/O, a valid database with a foreign schema) is not ours to move aside.
const SQLITE_CORRUPT = 11;
const SQLITE_NOTADB = 26;

// node:sqlite is synchronous, so waiting for another proxy's lock blocks this one's event loop. Their
// transactions last microseconds; a second means something else holds the file, and the write is
// better dropped (memory still has it) than every request stalled behind it.
const DEFAULT_BUSY_TIMEOUT_MS = 1000;

/** Opens `path` with our pragmas and `prepare` applied, moving a corrupt file aside and starting fresh rather than crashing. */
export function openDatabase<T>(
  path: string,
  schema: string,
  prepare: (db: DatabaseSync) => T,
  now: () => number,
  busyTimeoutMs = DEFAULT_BUSY_TIMEOUT_MS,
): OpenedDatabase<T> {
  const setUp = (db: DatabaseSync) => setUpConnection(db, path, schema, prepare, busyTimeoutMs);
  const db = connect(path);
  try {
    return { db, prepared: setUp(db), warnings: [] };
  } catch (error) {
    if (path === ':memory:' || !isCorruption(error)) {
      db.close();
      throw openError(path, error);
    }
  }
  const movedTo = `${path}.corrupt-${now()}`;
  try {
    // Move before closing: on close SQLite deletes the -wal/-shm files we want to keep next to the evidence,
    // and they must not be replayed onto the fresh file either.
    for (const suffix of ['', '-wal', '-shm']) {
      if (existsSync(path + suffix)) renameSync(path + suffix, movedTo + suffix);
    }
  } catch (error) {
    throw openError(path, error);
  } finally {
    db.close();
  }
  const fresh = connect(path);
  try {
    const prepared = setUp(fresh);
    return { db: fresh, prepared, warnings: [`FAILURE_DB "${path}" was corrupt; moved it to "${movedTo}" and started fresh`] };
  } catch (error) {
    fresh.close();
    throw openError(path, error);
  }
}

/** Notices the file behind a database being deleted or replaced while it is open. */
export interface DatabaseFileWatch {
  /** True when the file at the path is no longer the one opened (gone, or another file); one stat. */
  changed(): boolean;
  /** The file at the path is now the open one (after reopening it). */
  reset(): void;
}

/**
 * Watches `path` by device and inode. SQLite keeps writing to a deleted file through its open
 * descriptor, and those writes vanish with it; only a stat of the path tells.
 */
export function watchDatabaseFile(path: string): DatabaseFileWatch {
  const identity = (): string | undefined => {
    if (path === ':memory:') return '';
    const stat = statSync(path, { throwIfNoEntry: false });
    return stat === undefined ? undefined : `${stat.dev}:${stat.ino}`;
  };
  let opened = identity();
  return {
    changed: () => identity() !== opened,
    reset() {
      opened = identity();
    },
  };
}

function connect(path: string): DatabaseSync {
  try {
    return new DatabaseSync(path);
  } catch (error) {
    throw openError(path, error);
  }
}

function setUpConnection<T>(db: DatabaseSync, path: string, schema: string, prepare: (db: DatabaseSync) => T, busyTimeoutMs: number): T {
  // busy_timeout first: the pragmas below may already need a lock another proxy holds.
  db.exec(`PRAGMA busy_timeout=${Math.max(0, Math.floor(busyTimeoutMs))}`);
  // WAL lets one proxy read while the other writes; it does not exist for in-memory databases.
  if (path !== ':memory:') db.exec('PRAGMA journal_mode=WAL');
  db.exec('PRAGMA synchronous=NORMAL');
  const check = db.prepare('PRAGMA quick_check').all();
  if (check.length !== 1 || check[0]?.['quick_check'] !== 'ok') {
    throw Object.assign(new Error('quick_check failed'), { errcode: SQLITE_CORRUPT });
  }
  db.exec(schema);
  return prepare(db);
}

function isCorruption(error: unknown): boolean {
  const code = sqliteCode(error);
  return code === SQLITE_CORRUPT || code === SQLITE_NOTADB;
}

function sqliteCode(error: unknown): number | undefined {
  const errcode = (error as { errcode?: unknown } | null)?.errcode;
  // Extended result codes carry the primary code in their low byte.
  return typeof errcode === 'number' ? errcode & 0xff : undefined;
}

function openError(path: string, error: unknown): StoreOpenError {
  return new StoreOpenError(`FAILURE_DB: cannot open "${path}": ${reason(path, error)}`, { cause: error });
}

// SQLite only says "unable to open database file"; name the actual problem with the directory when we can.
function reason(path: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (path === ':memory:') return message;
  const dir = dirname(path);
  try {
    if (!statSync(dir).isDirectory()) return `"${dir}" is not a directory (${message})`;
  } catch (statError) {
    const code = (statError as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return `directory "${dir}" does not exist (${message})`;
    if (code === 'ENOTDIR') return `"${dir}" is not a directory (${message})`;
  }
  return message;
}
