// The dashboard's memory of recent requests: a fixed ring of rows, per-minute counts for the last
// hour, and listeners for live events. Every call is O(1) and allocation-light, and nothing here
// starts a timer: the cost per request must not show up in the benchmark.


/** One try of one model: `ok`, or the routing class of its failure (`transient`, `rate-limit`, ...). */
export interface AttemptRow {
  model: string;
  outcome: string;
  status?: number;
  error?: string;
  ms: number;
}

/** What the dashboard shows for one request: names, timings and counts, never message content. */
export interface RequestRow {
  id: number;
  /** Wall-clock start, epoch ms. */
  at: number;
  /** The client API the request arrived through (its name in the list of APIs). */
  api: string;
  requested: string;
  model?: string;
  attempts: AttemptRow[];
  status?: number;
  ttftMs?: number;
  ms?: number;
  tokens?: { prompt?: number; completion?: number };
  /** While recording or replaying: `replayed` when every upstream exchange was, `recorded` once one went upstream. */
  source?: 'replayed' | 'recorded';
  done: boolean;
}

/** The handle a request keeps while it runs. */
export interface RequestEntry {
  attempt(attempt: AttemptRow): void;
  firstToken(): void;
  /** Notes where an upstream exchange of this request was answered from (recording and replaying only). */
  exchange(source: 'replayed' | 'recorded'): void;
  /** Ends the row; only the first call counts, so error paths may call it defensively. */
  end(result: { status: number; model?: string; tokens?: { prompt?: number; completion?: number } }): void;
}

/** Requests per minute for one minute of the last hour, by outcome. */
export interface MinuteCount {
  /** Start of the minute, epoch ms. */
  minute: number;
  ok: number;
  /** Answered, but only after another model failed first. */
  fallback: number;
  failed: number;
}

/** What the log learnt about the upstream from the last attempt that reached a verdict. */
export interface UpstreamHealth {
  reachable: boolean | undefined;
  lastError?: string;
  at?: number;
}

export interface RequestLog {
  begin(start: { api: string; requested: string }): RequestEntry;
  /** The kept rows, newest first. */
  recent(): RequestRow[];
  /** The last 60 minutes, oldest first, with empty minutes filled in. */
  perMinute(): MinuteCount[];
  /** The last error seen per model id (bounded by the catalog's size). */
  lastErrors(): Record<string, { error: string; status?: number; at: number }>;
  upstream(): UpstreamHealth;
  /** Calls `listener` whenever a row starts, gains an attempt, or ends; returns the unsubscribe function. */
  subscribe(listener: (row: RequestRow) => void): () => void;
  /** How many listeners are subscribed (open dashboards). */
  subscribers(): number;
}

export interface RequestLogOptions {
  now: () => number;
  monotonic: () => number;
  capacity?: number;
}

const MINUTE_MS = 60_000;
const HOUR_MINUTES = 60;
const MAX_TEXT = 200;

// Minute numbers before 1970 only occur with test clocks near zero; keep the slot in range anyway.
const slot = (minute: number) => ((minute % HOUR_MINUTES) + HOUR_MINUTES) % HOUR_MINUTES;

/** Creates an empty request log. */
export function createRequestLog(options: RequestLogOptions): RequestLog {
  const capacity = options.capacity ?? 200;
  const ring: (RequestRow | undefined)[] = new Array(capacity);
  const minutes: MinuteCount[] = Array.from({ length: HOUR_MINUTES }, () => ({ minute: -1, ok: 0, fallback: 0, failed: 0 }));
  const errors = new Map<string, { error: string; status?: number; at: number }>();
  const listeners = new Set<(row: RequestRow) => void>();
  let upstream: UpstreamHealth = { reachable: undefined };
  let nextId = 1;

  const emit = (row: RequestRow) => {
    for (const listener of listeners) listener(row);
  };

  function count(row: RequestRow, at: number): void {
    const minute = Math.floor(at / MINUTE_MS);
    const bucket = minutes[slot(minute)] as MinuteCount;
    if (bucket.minute !== minute * MINUTE_MS) Object.assign(bucket, { minute: minute * MINUTE_MS, ok: 0, fallback: 0, failed: 0 });
    if ((row.status ?? 500) >= 400) bucket.failed++;
    else if (row.attempts.length > 1) bucket.fallback++;
    else bucket.ok++;
  }

  function begin(start: { api: string; requested: string }): RequestEntry {
    // The requested name is the client's; a megabyte of it must not sit in 200 rows and every event.
    const requested = start.requested.length > MAX_TEXT ? `${start.requested.slice(0, MAX_TEXT)}…` : start.requested;
    const row: RequestRow = { id: nextId++, at: options.now(), api: start.api, requested, attempts: [], done: false };
    const started = options.monotonic();
    ring[row.id % capacity] = row;
    emit(row);
    return {
      attempt(attempt) {
        if (row.done) return;
        row.attempts.push(attempt);
        // Replaced only when the verdict flips, so an unchanged status stays byte-for-byte the same.
        if (attempt.outcome === 'ok') {
          if (upstream.reachable !== true) upstream = { reachable: true, at: row.at };
        }
        else {
          const at = options.now();
          errors.set(attempt.model, { error: attempt.error ?? attempt.outcome, ...(attempt.status ? { status: attempt.status } : {}), at });
          if (attempt.outcome === 'unreachable') upstream = { reachable: false, lastError: attempt.error, at };
        }
        emit(row);
      },
      firstToken() {
        row.ttftMs ??= Math.round(options.monotonic() - started);
      },
      exchange(source) {
        if (row.done || row.source === 'recorded' || row.source === source) return;
        row.source = source;
        emit(row);
      },
      end(result) {
        if (row.done) return;
        row.done = true;
        row.status = result.status;
        row.ms = Math.round(options.monotonic() - started);
        if (result.model !== undefined) row.model = result.model;
        if (result.tokens !== undefined) row.tokens = result.tokens;
        count(row, options.now());
        emit(row);
      },
    };
  }

  return {
    begin,
    recent() {
      const rows: RequestRow[] = [];
      for (let id = nextId - 1; id >= 1 && rows.length < capacity; id--) {
        const row = ring[id % capacity];
        if (row !== undefined) rows.push(row);
      }
      return rows;
    },
    perMinute() {
      const current = Math.floor(options.now() / MINUTE_MS);
      const out: MinuteCount[] = [];
      for (let minute = current - HOUR_MINUTES + 1; minute <= current; minute++) {
        const bucket = minutes[slot(minute)] as MinuteCount;
        out.push(bucket.minute === minute * MINUTE_MS ? { ...bucket } : { minute: minute * MINUTE_MS, ok: 0, fallback: 0, failed: 0 });
      }
      return out;
    },
    lastErrors: () => Object.fromEntries(errors),
    upstream: () => upstream,
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    subscribers: () => listeners.size,
  };
}
