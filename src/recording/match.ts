// Matching a request the proxy is about to send upstream against the recorded ones. Pure.
import type { Recording } from './format.ts';
import { withoutIgnored, type IgnoreRules } from './ignore-rules.ts';
import { redactBody } from './redact.ts';

/** `free`: the upstream model is ignored (the router may pick another); `strict`: it must match too. */
export type MatchMode = 'free' | 'strict';

/** How requests are compared: the mode, and what in a body does not count (see ignore-rules.ts). */
export interface Matching {
  mode: MatchMode;
  ignore: IgnoreRules;
}

export interface UpstreamRequest {
  method: string;
  path: string;
  body: unknown;
}

// In free mode the router chooses the model, so `model` and the fallback list `models` are not part
// of what the client asked for.
const MODEL_KEYS = ['model', 'models'];

/** The request as matching sees it: credentials redacted (as the recorder did), ignored parts dropped, keys sorted, the model dropped in free mode. */
export function normaliseRequest(request: UpstreamRequest, matching: Matching): UpstreamRequest {
  let body = sortKeys(withoutIgnored(redactBody(request.body), matching.ignore));
  if (matching.mode === 'free' && body !== null && typeof body === 'object' && !Array.isArray(body)) {
    body = Object.fromEntries(Object.entries(body).filter(([key]) => !MODEL_KEYS.includes(key)));
  }
  const method = request.method.toUpperCase();
  // The catalog is the catalog however it is asked for: the proxy adds `?output_modalities=all`, an
  // OpenAI client pointed at the --replay server asks for plain `/models`.
  const path = method === 'GET' && /^\/models(\?|$)/.test(request.path) ? '/models' : request.path;
  return { method, path, body };
}

/** The lookup key of a normalised request. */
export function matchKey(request: UpstreamRequest): string {
  return `${request.method} ${request.path} ${JSON.stringify(request.body ?? null)}`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]));
}

/** Where two JSON values differ, as paths with both values (at most `limit` of them). */
export function differences(expected: unknown, actual: unknown, limit = 3, path = ''): string[] {
  if (JSON.stringify(expected) === JSON.stringify(actual)) return [];
  const bothObjects = expected !== null && actual !== null && typeof expected === 'object' && typeof actual === 'object' && Array.isArray(expected) === Array.isArray(actual);
  if (!bothObjects) return [`${path || '(body)'}: recorded ${preview(expected)}, got ${preview(actual)}`];
  const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])];
  const out: string[] = [];
  for (const key of keys) {
    const childPath = Array.isArray(expected) ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;
    out.push(...differences((expected as Record<string, unknown>)[key], (actual as Record<string, unknown>)[key], limit - out.length, childPath));
    if (out.length >= limit) break;
  }
  return out;
}

function preview(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export interface Named {
  file: string;
  recording: Recording;
  /** The file's modification time (epoch ms): the age of a recording that has no `receivedAt`. */
  modifiedAt?: number;
}

/** A recorded request, normalised, with the file it came from. */
export interface NormalisedRecording {
  file: string;
  request: UpstreamRequest;
}

/** Explains a miss of the normalised request `wanted`: the closest recording with the same method and path, and what differed. */
export function describeMiss(wanted: UpstreamRequest, recordings: readonly NormalisedRecording[]): string {
  const head = `no recording matches ${wanted.method} ${wanted.path}`;
  let best: { file: string; diffs: string[]; score: number } | undefined;
  for (const { file, request: recorded } of recordings) {
    if (recorded.method !== wanted.method || recorded.path.split('?')[0] !== wanted.path.split('?')[0]) continue;
    const diffs = recorded.path === wanted.path ? differences(recorded.body, wanted.body, 50) : [`path: recorded ${recorded.path}`];
    if (best === undefined || diffs.length < best.score) best = { file, diffs: diffs.slice(0, 3), score: diffs.length };
  }
  if (best === undefined) return `${head}: no recording has that method and path (record again with RECORD_DIR)`;
  return `${head}; the closest recording is ${best.file}, which differs at ${best.diffs.join('; ')}`;
}
