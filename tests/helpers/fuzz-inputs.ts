// Generated hostile requests, seeded so that a failure can be replayed exactly: the fuzz suite
// (tests/http/fuzz.test.ts) and the attack run (bench/attack/) share them.
import assert from 'node:assert/strict';
import { parseRequestTarget } from '../../src/http/url-router.ts';
import { errorMessage, errorShapeFor, type Answer } from './reliability-helpers.ts';

/** mulberry32: a tiny seeded PRNG, so a failure can be replayed exactly. */
export function createRandom(seed: number) {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const int = (max: number): number => Math.floor(next() * max);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  return { next, int, pick, chance: (p: number) => next() < p };
}
export type Random = ReturnType<typeof createRandom>;

export const ROUTES = [
  '/', '/api/version', '/status', '/api/tags', '/api/ps', '/api/show', '/api/chat', '/api/generate', '/api/embed',
  '/api/embeddings', '/api/pull', '/api/push', '/api/create', '/api/copy', '/api/delete', '/api/blobs/sha256:abc',
  '/v1/models', '/v1/models/qwen3-coder:free', '/v1/chat/completions', '/v1/completions', '/v1/embeddings',
];
export const METHODS = ['GET', 'POST', 'POST', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'];
const MODELS = ['qwen3-coder:free', 'llama3.2', 'gemini-2.0-flash-exp:free', 'openai/gpt-4o', '', '../../etc/passwd', 'http://evil.example/', 'x'.repeat(300)];
const STRINGS = ['', 'hi', 'null', '\u0000', '\ud800', '😀'.repeat(3), '<script>', '%s%n', '{"a":', '\\', 'a\nb\r\nc', ' '.repeat(10)];

function randomString(r: Random): string {
  if (r.chance(0.5)) return r.pick(STRINGS);
  return Array.from({ length: r.int(40) }, () => String.fromCharCode(r.chance(0.8) ? 32 + r.int(95) : r.int(0x3000))).join('');
}

function randomJson(r: Random, depth = 0): unknown {
  const kinds = depth > 4 ? 4 : 7;
  switch (r.int(kinds)) {
    case 0: return null;
    case 1: return r.chance(0.5);
    case 2: return r.pick([0, -1, 1e308, 3.14, 2 ** 53 + 1, -0]);
    case 3: return randomString(r);
    case 4: return r.pick(MODELS);
    case 5: return Array.from({ length: r.int(4) }, () => randomJson(r, depth + 1));
    default: return Object.fromEntries(Array.from({ length: r.int(4) }, () => [randomString(r), randomJson(r, depth + 1)]));
  }
}

/** A plausible body for the route, so that mutations reach the validators rather than stopping at "not an object". */
function validBody(r: Random, path: string): Record<string, unknown> {
  const model = r.pick(MODELS);
  const messages = [{ role: r.pick(['user', 'system', 'assistant', 'tool', 'USER']), content: randomString(r) }];
  if (path.includes('chat')) return { model, messages, stream: r.chance(0.5), options: { temperature: 0.5, num_ctx: 2048 }, tools: r.chance(0.2) ? [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }] : undefined };
  if (path.includes('generate') || path.endsWith('/completions')) return { model, prompt: randomString(r), stream: r.chance(0.5), images: r.chance(0.2) ? ['iVBORw0KGgo='] : undefined };
  if (path.includes('embed')) return { model, input: r.chance(0.5) ? randomString(r) : [randomString(r)], prompt: randomString(r) };
  return { model, name: model, stream: r.chance(0.5) };
}

function mutate(r: Random, value: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = structuredClone(Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)));
  for (let i = 0; i < 1 + r.int(3); i++) {
    const keys = Object.keys(copy);
    const key = keys.length > 0 && r.chance(0.8) ? r.pick(keys) : randomString(r);
    if (r.chance(0.2)) delete copy[key];
    else copy[key] = randomJson(r);
  }
  return copy;
}

export function randomBody(r: Random, path: string): string | Buffer | undefined {
  switch (r.int(6)) {
    case 0: return undefined;
    case 1: return Buffer.from(Array.from({ length: r.int(300) }, () => r.int(256)));
    case 2: return JSON.stringify(randomJson(r));
    case 3: {
      const text = JSON.stringify(validBody(r, path));
      return text.slice(0, r.int(text.length));
    }
    case 4: return JSON.stringify(mutate(r, validBody(r, path)));
    default: return JSON.stringify(validBody(r, path));
  }
}

// A lone surrogate cannot be percent-encoded; send the bytes of one (invalid UTF-8) instead.
function encode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return '%ED%A0%80';
  }
}

export function randomPath(r: Random): string {
  let path = r.pick(ROUTES);
  if (r.chance(0.1)) path += '/';
  if (r.chance(0.05)) path += `/${encode(randomString(r))}`;
  if (r.chance(0.05)) path = path.replace('/', '//');
  if (r.chance(0.05)) path += r.pick(['%', '%zz', '/..', '/%2e%2e', '?x=%ff']);
  if (r.chance(0.1)) path += `?${encode(randomString(r))}=${encode(randomString(r))}`;
  return path;
}

export function randomHeaders(r: Random): Record<string, string> {
  const headers: Record<string, string> = {};
  if (r.chance(0.7)) headers['Content-Type'] = r.pick(['application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'garbage']);
  if (r.chance(0.3)) headers.Authorization = r.pick(['Bearer ', 'Bearer x', 'Basic Zm9vOmJhcg==', 'bearer', '']);
  if (r.chance(0.2)) headers.Origin = r.pick(['http://localhost:3000', 'https://evil.example', 'null', 'app://obsidian.md']);
  if (r.chance(0.1)) headers.Accept = r.pick(['text/event-stream', '*/*', 'application/x-ndjson']);
  return headers;
}

/** Checks one answer is well-formed for its path and method; throws an AssertionError saying what is wrong. */
export function checkAnswer(method: string, path: string, answer: Answer): void {
  const where = `${method} ${path} → ${answer.status} ${answer.text.slice(0, 200)}`;
  assert.ok(answer.status >= 200 && answer.status < 600 && answer.status !== 500, `no internal errors: ${where}`);
  if (method === 'HEAD' || answer.status === 204) return;
  const type = String(answer.headers['content-type'] ?? '');
  if (answer.status >= 400) {
    assert.match(type, /^application\/json/, where);
    errorMessage(errorShapeFor(parseRequestTarget(path)?.path ?? '/'), answer.text);
    return;
  }
  if (type.startsWith('application/json')) JSON.parse(answer.text);
  else if (type.startsWith('application/x-ndjson')) for (const line of answer.text.trimEnd().split('\n')) JSON.parse(line);
  else if (type.startsWith('text/event-stream')) {
    for (const block of answer.text.split('\n\n').filter((b) => b !== '')) {
      assert.ok(block.startsWith('data: '), where);
      const data = block.slice(6);
      if (data !== '[DONE]') JSON.parse(data);
    }
  } else assert.equal(answer.text, 'Ollama is running', where);
}

const RAW_HEADS = ['', 'GET / HTTP/1.1\r\n', 'POST /api/chat HTTP/1.1\r\nHost: localhost\r\n', 'POST /v1/chat/completions HTTP/1.1\r\nContent-Length: 5\r\n\r\n', 'GET /api/tags HTTP/1.0\r\n\r\n'];

/** Raw bytes for a socket: the start of a request (or nothing), then garbage. */
export function randomRawRequest(r: Random): Buffer {
  const garbage = Buffer.from(Array.from({ length: r.int(200) }, () => (r.chance(0.7) ? 32 + r.int(95) : r.int(256))));
  return Buffer.concat([Buffer.from(r.pick(RAW_HEADS)), garbage, Buffer.from(r.chance(0.5) ? '\r\n\r\n' : '')]);
}

/** Checks a raw answer: nothing (the connection closed), or an HTTP answer that is no 500 and, as an error, JSON. */
export function checkRawAnswer(bytes: Buffer, answer: string): void {
  if (answer === '') return;
  assert.match(answer, /^HTTP\/1\.[01] \d{3} /, JSON.stringify(bytes.toString('latin1')));
  const status = Number(answer.slice(9, 12));
  assert.notEqual(status, 500);
  if (status < 400) return;
  // Only the first answer: garbage after a whole request is parsed as the next one, and answered too.
  const bodyStart = answer.indexOf('\r\n\r\n') + 4;
  const length = Number(/\r\ncontent-length: (\d+)/i.exec(answer.slice(0, bodyStart))?.[1] ?? answer.length);
  JSON.parse(Buffer.from(answer.slice(bodyStart), 'latin1').subarray(0, length).toString('utf8'));
}
