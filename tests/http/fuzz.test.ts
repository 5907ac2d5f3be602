// A bounded, seeded fuzz run: generated garbage at every route. Every answer must be well-formed
// (an error in the API's shape, or a parseable success), none may be an internal error, every
// upstream request must go to the configured OpenRouter, and the server must still answer afterwards.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { test, type TestContext } from 'node:test';
import { createHttpServer } from '../../src/http/http-server.ts';
import { parseRequestTarget } from '../../src/http/url-router.ts';
import { startProxy, type Proxy } from '../helpers/harness.ts';
import { call, errorMessage, errorShapeFor, type Answer } from '../helpers/reliability-helpers.ts';

const SEED = 0x5eed_2026;
const REQUESTS = 600;
const RAW_REQUESTS = 200;
const PARALLEL = 12;

/** mulberry32: a tiny seeded PRNG, so a failure can be replayed exactly. */
function createRandom(seed: number) {
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
type Random = ReturnType<typeof createRandom>;

const ROUTES = [
  '/', '/api/version', '/status', '/api/tags', '/api/ps', '/api/show', '/api/chat', '/api/generate', '/api/embed',
  '/api/embeddings', '/api/pull', '/api/push', '/api/create', '/api/copy', '/api/delete', '/api/blobs/sha256:abc',
  '/v1/models', '/v1/models/qwen3-coder:free', '/v1/chat/completions', '/v1/completions', '/v1/embeddings',
];
const METHODS = ['GET', 'POST', 'POST', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'];
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

function randomBody(r: Random, path: string): string | Buffer | undefined {
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

function randomPath(r: Random): string {
  let path = r.pick(ROUTES);
  if (r.chance(0.1)) path += '/';
  if (r.chance(0.05)) path += `/${encode(randomString(r))}`;
  if (r.chance(0.05)) path = path.replace('/', '//');
  if (r.chance(0.05)) path += r.pick(['%', '%zz', '/..', '/%2e%2e', '?x=%ff']);
  if (r.chance(0.1)) path += `?${encode(randomString(r))}=${encode(randomString(r))}`;
  return path;
}

function randomHeaders(r: Random): Record<string, string> {
  const headers: Record<string, string> = {};
  if (r.chance(0.7)) headers['Content-Type'] = r.pick(['application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'garbage']);
  if (r.chance(0.3)) headers.Authorization = r.pick(['Bearer ', 'Bearer x', 'Basic Zm9vOmJhcg==', 'bearer', '']);
  if (r.chance(0.2)) headers.Origin = r.pick(['http://localhost:3000', 'https://evil.example', 'null', 'app://obsidian.md']);
  if (r.chance(0.1)) headers.Accept = r.pick(['text/event-stream', '*/*', 'application/x-ndjson']);
  return headers;
}

/** Checks one answer is well-formed for its path and method; returns a description of what is wrong, if anything. */
function checkAnswer(method: string, path: string, answer: Answer): void {
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

test(`fuzz: ${REQUESTS} generated requests (seed ${SEED}) all get well-formed answers`, async (t) => {
  const upstreamUrls: string[] = [];
  const recording: typeof fetch = (input, init) => {
    upstreamUrls.push(String(input instanceof Request ? input.url : input));
    return fetch(input, init);
  };
  const proxy = await startProxy(t, { fetch: recording });
  const url = await serveWithTimeouts(proxy, t);
  const random = createRandom(SEED);
  const plan = Array.from({ length: REQUESTS }, () => {
    const path = randomPath(random);
    return { method: random.pick(METHODS), path, body: randomBody(random, path), headers: randomHeaders(random) };
  });
  const statuses = new Map<number, number>();
  for (let start = 0; start < plan.length; start += PARALLEL) {
    await Promise.all(plan.slice(start, start + PARALLEL).map(async ({ method, path, body, headers }, offset) => {
      const sendsBody = method !== 'GET' && method !== 'HEAD' && body !== undefined;
      const answer = await call(url, path, { method, body: sendsBody ? body : undefined, headers, timeoutMs: 10_000 }).catch((error: Error) => {
        throw new Error(`request #${start + offset} ${method} ${path}: ${error.message}`);
      });
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      checkAnswer(method, path, answer);
    }));
  }
  // The run reached past the validators: some answers succeeded, and some went upstream.
  assert.ok((statuses.get(200) ?? 0) > 20, `statuses: ${JSON.stringify([...statuses])}`);
  assert.ok(proxy.fake.chatRequests().length > 0);
  for (const url of upstreamUrls) assert.ok(url.startsWith(`${proxy.config.baseUrl}/`), `upstream request to ${url}`);
  await assertAlive(url);
});

test(`fuzz: ${RAW_REQUESTS} raw byte sequences (seed ${SEED}) get a well-formed HTTP answer or a closed connection`, async (t) => {
  const proxy = await startProxy(t);
  const url = new URL(await serveWithTimeouts(proxy, t));
  const random = createRandom(SEED);
  const heads = ['', 'GET / HTTP/1.1\r\n', 'POST /api/chat HTTP/1.1\r\nHost: localhost\r\n', 'POST /v1/chat/completions HTTP/1.1\r\nContent-Length: 5\r\n\r\n', 'GET /api/tags HTTP/1.0\r\n\r\n'];
  for (let start = 0; start < RAW_REQUESTS; start += PARALLEL) {
    await Promise.all(Array.from({ length: Math.min(PARALLEL, RAW_REQUESTS - start) }, async () => {
      const garbage = Buffer.from(Array.from({ length: random.int(200) }, () => (random.chance(0.7) ? 32 + random.int(95) : random.int(256))));
      const bytes = Buffer.concat([Buffer.from(random.pick(heads)), garbage, Buffer.from(random.chance(0.5) ? '\r\n\r\n' : '')]);
      const socket = connect(Number(url.port), url.hostname);
      socket.on('error', () => {});
      let answer = '';
      socket.setEncoding('latin1').on('data', (chunk: string) => (answer += chunk));
      socket.end(bytes);
      const closed = once(socket, 'close');
      const timer = setTimeout(() => socket.destroy(new Error('no close')), 5_000);
      await closed;
      clearTimeout(timer);
      if (answer === '') return;
      assert.match(answer, /^HTTP\/1\.[01] \d{3} /, JSON.stringify(bytes.toString('latin1')));
      const status = Number(answer.slice(9, 12));
      assert.notEqual(status, 500);
      if (status >= 400) JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
    }));
  }
  await assertAlive(url.origin);
});

async function assertAlive(url: string): Promise<void> {
  const alive = await call(url, '/');
  assert.equal(alive.status, 200);
  assert.equal(alive.text, 'Ollama is running');
}

/** Serves the proxy through the production server factory, with request timeouts short enough for a test. */
async function serveWithTimeouts(proxy: Proxy, t: TestContext): Promise<string> {
  const server = createHttpServer(proxy.app, { headersTimeoutMs: 500, requestTimeoutMs: 1_000, keepAliveTimeoutMs: 500, checkIntervalMs: 50 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
