import type { LogLevel } from './config.ts';

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const RANK: Record<LogLevel, number> = { DEBUG: 10, INFO: 20, WARN: 30, ERROR: 40 };

// Keys whose values are secrets or user content: never written, at any level.
const SECRET_KEY = /authorization|api[-_]?key|secret|token|password|cookie/i;
const CONTENT_KEY = /^(content|messages|prompt|images|input|system|suffix|arguments|body)$/i;
// Belt and braces for what ends up inside free text (an upstream error echoing a header or an image,
// say, or a base URL with credentials in it): OpenRouter keys, bearer tokens, URL user info, and
// base64 runs far longer than any identifier.
const SECRET_IN_TEXT = /(sk-or-[A-Za-z0-9-_]{4})[A-Za-z0-9-_]+|(Bearer\s+)[^\s"']+|(\/\/)[^/\s:@]+:[^/\s@]+@|([A-Za-z0-9+/]{100,}={0,2})/g;

/** Replaces secrets and user content with short descriptions so that a log line can never leak them. */
export function redact(value: unknown, key = '', depth = 0): unknown {
  if (SECRET_KEY.test(key)) return '[redacted]';
  if (CONTENT_KEY.test(key)) return describeContent(value);
  if (typeof value === 'string') return value.replace(SECRET_IN_TEXT, redactMatch);
  if (value === null || typeof value !== 'object' || depth > 6) return value;
  if (value instanceof Error) return { name: value.name, message: redact(value.message, '', depth + 1) };
  if (Array.isArray(value)) return value.map((item) => redact(item, '', depth + 1));
  const out: Record<string, unknown> = {};
  for (const [childKey, child] of Object.entries(value)) out[childKey] = redact(child, childKey, depth + 1);
  return out;
}

function redactMatch(match: string, key?: string, bearer?: string, slashes?: string, base64?: string): string {
  if (base64 !== undefined) return `[${base64.length} base64 chars]`;
  if (slashes !== undefined) return '//[redacted]@';
  return `${key ?? ''}${bearer ?? ''}[redacted]`;
}

function describeContent(value: unknown): string {
  if (typeof value === 'string') return `[${value.length} chars]`;
  if (Array.isArray(value)) return `[${value.length} items]`;
  return value === undefined || value === null ? String(value) : '[redacted]';
}

/**
 * Gathers the lines logged in one turn of the event loop into one write to stderr. Writes to a pipe
 * or file are synchronous in Node, so two lines per request were two system calls per request; a
 * turn that serves many requests now makes one. Whatever is pending is written on exit.
 */
export function batchedStderr(): (line: string) => void {
  let pending = '';
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    if (pending === '') return;
    const out = pending;
    pending = '';
    process.stderr.write(out);
  };
  process.once('exit', flush);
  return (line) => {
    pending += line;
    if (pending.length >= 64 * 1024) return flush();
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush).unref();
  };
}

/** Builds a logger that writes one JSON object per line to `write` (by default, batched to stderr), dropping entries below `level`. */
export function createLogger(level: LogLevel, write: (line: string) => void = batchedStderr()): Logger {
  const threshold = RANK[level];
  const emit = (entryLevel: LogLevel, message: string, fields?: LogFields): void => {
    if (RANK[entryLevel] < threshold) return;
    const entry = { time: new Date().toISOString(), level: entryLevel, msg: redact(message), ...(fields && (redact(fields) as LogFields)) };
    write(`${JSON.stringify(entry)}\n`);
  };
  return {
    debug: (message, fields) => emit('DEBUG', message, fields),
    info: (message, fields) => emit('INFO', message, fields),
    warn: (message, fields) => emit('WARN', message, fields),
    error: (message, fields) => emit('ERROR', message, fields),
  };
}

// Warnings keyed by what a client sent (a tool type, say) must not grow without bound: past this
// many distinct keys, one more WARN says so and later new keys are dropped.
const MAX_WARN_ONCE_KEYS = 100;
const MAX_WARN_FIELD_CHARS = 200;

/**
 * Builds a `warnOnce(key, message, fields)` that logs a WARN the first time each key is seen. It
 * remembers at most `maxKeys` keys, and string fields are cut to 200 characters: the keys and fields
 * may come from client input.
 */
export function createWarnOnce(logger: Logger, maxKeys = MAX_WARN_ONCE_KEYS): (key: string, message: string, fields?: LogFields) => void {
  const warned = new Set<string>();
  let full = false;
  return (fullKey, message, fields) => {
    const key = fullKey.slice(0, MAX_WARN_FIELD_CHARS);
    if (warned.has(key) || full) return;
    if (warned.size >= maxKeys) {
      full = true;
      logger.warn(`more than ${maxKeys} distinct warnings of this kind; further new ones are not logged`, { last: cutField(key) });
      return;
    }
    warned.add(key);
    logger.warn(message, fields === undefined ? undefined : Object.fromEntries(Object.entries(fields).map(([name, value]) => [name, cutField(value)])));
  };
}

function cutField(value: unknown): unknown {
  return typeof value === 'string' && value.length > MAX_WARN_FIELD_CHARS ? `${value.slice(0, MAX_WARN_FIELD_CHARS)}…` : value;
}

/** A logger that drops everything, for tests that do not look at logs. */
export const silentLogger: Logger = createLogger('ERROR', () => {});
