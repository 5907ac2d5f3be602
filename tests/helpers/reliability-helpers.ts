// Helpers shared by the reliability suites: calls (through proxy.fetch, or node:http on their own connections), answer parsing
// that checks the wire shape, leak checks, and spawning the real entry point.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { request, type Agent, type IncomingHttpHeaders, type Server } from 'node:http';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { defaultCatalog } from '../../src/fake-openrouter/server.ts';
import { send, type Proxy, type Target } from './harness.ts';
import { CLIENT_APIS } from '../../src/dialects/client-apis.ts';
import { HttpError } from '../../src/errors.ts';
import { errorReplier } from '../../src/serving/client-api.ts';

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

export interface CallOptions {
  method?: string;
  /** An object is sent as JSON; a string or Buffer as it is. */
  body?: unknown;
  headers?: Record<string, string>;
  /** node:http only. Defaults to no agent: a fresh connection that closes after the answer, so no socket outlives a call. */
  agent?: Agent | false;
  /** node:http only: how long the socket may stay silent. */
  timeoutMs?: number;
}

/** One request to a proxy (no socket) or, for a base URL, with node:http; resolves with the status, headers and whole body text. */
export async function call(target: Target, path: string, options: CallOptions = {}): Promise<Answer> {
  const body = options.body === undefined ? undefined
    : typeof options.body === 'string' || Buffer.isBuffer(options.body) ? options.body : JSON.stringify(options.body);
  if (typeof target === 'string') return callSocket(target, path, options, body);
  assert.ok(options.agent === undefined && options.timeoutMs === undefined, 'agent and timeoutMs need a socket: call(proxy.url, ...)');
  const response = await send(target, path, {
    method: options.method ?? (body === undefined ? 'GET' : 'POST'),
    headers: { ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...options.headers },
    ...(body === undefined ? {} : { body }),
  });
  return { status: response.status, headers: Object.fromEntries(response.headers), text: await response.text() };
}

function callSocket(baseUrl: string, path: string, options: CallOptions, body: string | Buffer | undefined): Promise<Answer> {
  const base = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    // host, port and path apart, so that a test can send any request target (`//x`, `http://host/x`).
    const req = request({
      host: base.hostname,
      port: base.port,
      path,
      method: options.method ?? (body === undefined ? 'GET' : 'POST'),
      // An explicit length: node sends a DELETE body without one, which no server can frame.
      headers: { ...(body === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) }), ...options.headers },
      agent: options.agent ?? false,
      timeout: options.timeoutMs ?? 10_000,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${path}: no answer within ${options.timeoutMs ?? 10_000} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Asserts an error body has the API's shape and returns its message. */
/** The error shape a request's API answers in, read off the app's own error table (the client API records). */
export function errorShapeFor(path: string, headers: Record<string, unknown> = {}): 'ollama' | 'openai' | 'anthropic' {
  const body = errorReplier(CLIENT_APIS)(path, new HttpError(400, 'probe'), headers).body as Record<string, unknown>;
  return 'type' in body ? 'anthropic' : typeof body.error === 'string' ? 'ollama' : 'openai';
}

export function errorMessage(shape: 'ollama' | 'openai' | 'anthropic' | 'responses', text: string): string {
  const body = JSON.parse(text) as Record<string, any>;
  if (shape === 'anthropic') {
    assert.deepEqual(Object.keys(body), ['type', 'error'], `Anthropic error shape: ${text}`);
    assert.equal(body.type, 'error');
    assert.deepEqual(Object.keys(body.error), ['type', 'message'], `Anthropic error shape: ${text}`);
    return body.error.message as string;
  }
  if (shape === 'ollama') {
    assert.deepEqual(Object.keys(body), ['error'], `Ollama error shape: ${text}`);
    assert.equal(typeof body.error, 'string');
    return body.error as string;
  }
  assert.equal(typeof body.error?.message, 'string', `OpenAI error shape: ${text}`);
  assert.equal(typeof body.error?.type, 'string', `OpenAI error shape: ${text}`);
  return body.error.message as string;
}

/** Polls `check` until it holds or `timeoutMs` passes. */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 2_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) assert.fail(`still not true after ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** How many timers are keeping the event loop alive. */
export function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
}

function openConnections(server: Server): Promise<number> {
  return new Promise((resolve, reject) => server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
}

/**
 * Asserts nothing outlives a finished request: no upstream stream still open at the fake, no client
 * connection still open at the proxy (when it has a socket; without one, the caller has read the
 * reply to its end), and no more timers than before the request (a watchdog timer that was never
 * cleared would show up here).
 */
export async function assertSettled(proxy: Proxy, timersBefore: number): Promise<void> {
  await eventually(() => proxy.fake.activeStreams() === 0, `no upstream stream left open (${proxy.fake.activeStreams()} open)`);
  if (proxy.socket) await eventually(async () => (await openConnections(proxy.server)) === 0, 'no client connection left open at the proxy');
  await eventually(() => activeTimers() <= timersBefore, `no timer left behind (${activeTimers()} > ${timersBefore})`);
}

/**
 * Wraps fetch so a test can count the bytes the proxy pulled from OpenRouter's chat streams;
 * `settled` waits (bounded) until the proxy stops pulling: the same count three times 250 ms apart.
 */
export function countingFetch(): { fetch: typeof fetch; bytes: () => number; settled: () => Promise<void> } {
  let bytes = 0;
  const counting: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    if (!String(input).endsWith('/chat/completions') || response.body === null) return response;
    const counted = response.body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        bytes += chunk.byteLength;
        controller.enqueue(chunk);
      },
    }));
    return new Response(counted, { status: response.status, headers: response.headers });
  };
  const settled = async (): Promise<void> => {
    let previous = -1;
    await eventually(async () => {
      const now = bytes;
      await new Promise((resolve) => setTimeout(resolve, 250));
      const still = now > 0 && now === bytes && now === previous;
      previous = now;
      return still;
    }, 'the proxy stops pulling from OpenRouter', 10_000);
  };
  return { fetch: counting, bytes: () => bytes, settled };
}

/** Writes a fresh catalog cache, so a proxy can start with its OpenRouter unreachable. */
export function writeCatalogCache(dir: string, now = Date.now()): string {
  const path = join(dir, 'free-models');
  writeFileSync(`${path}.json`, JSON.stringify({ fetchedAt: now, models: defaultCatalog() }));
  return path;
}

export interface LogEntry {
  level: string;
  msg: string;
  [field: string]: unknown;
}

export interface Spawned {
  child: ChildProcess;
  /** The URL from the `listening` log line. */
  url: string;
  stderr: () => string;
  logs: () => LogEntry[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Parses the JSON log lines of a stderr capture, skipping anything else. */
export function parseLogs(stderr: string): LogEntry[] {
  return stderr.split('\n').flatMap((line) => {
    try {
      const entry = JSON.parse(line) as LogEntry;
      return typeof entry === 'object' && entry !== null && typeof entry.level === 'string' ? [entry] : [];
    } catch {
      return [];
    }
  });
}

/**
 * Runs `node src/main.ts` with exactly `env` (plus PATH), killed when the test ends. Resolves once
 * it logs `listening` (with the real port, since tests pass PORT=0), or rejects with its stderr.
 */
export function spawnProxy(t: TestContext, env: Record<string, string>, options: { waitForListening?: boolean; timeoutMs?: number } = {}): Promise<Spawned> {
  const child = spawn(process.execPath, ['src/main.ts'], {
    cwd: join(import.meta.dirname, '..', '..'),
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })));
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    return exited;
  });
  const spawned = (url: string): Spawned => ({ child, url, stderr: () => stderr, logs: () => parseLogs(stderr), exited });
  if (options.waitForListening === false) return Promise.resolve(spawned(''));
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(`no "listening" line within ${timeoutMs} ms`), timeoutMs);
    const fail = (why: string): void => {
      clearTimeout(timer);
      child.stderr?.off('data', onData);
      reject(new Error(`${why}; stderr:\n${stderr}`));
    };
    const onData = (): void => {
      const listening = parseLogs(stderr).find((entry) => entry.msg === 'listening');
      if (listening === undefined) return;
      clearTimeout(timer);
      child.stderr?.off('data', onData);
      resolve(spawned(String(listening.url)));
    };
    child.stderr?.on('data', onData);
    void exited.then(({ code }) => fail(`exited with code ${code} before listening`));
  });
}
