// A request refused before its body is read (too large, no key, an upload the proxy never takes)
// still gets its answer: the server reads and discards the rest of the body, within a bound, instead
// of closing a connection with unread data (which resets it, and the client sees a broken pipe).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { startFakeOpenRouter } from '../../src/fake-openrouter/server.ts';
import { startProxy } from '../helpers/harness.ts';
import { call, errorMessage, spawnProxy } from '../helpers/reliability-helpers.ts';

/**
 * The proxy as its own process: the reset only loses the answer when the client's process is still
 * writing as the server's closes, which one shared event loop never shows.
 */
async function spawned(t: TestContext, env: Record<string, string>): Promise<string> {
  const fake = await startFakeOpenRouter();
  t.after(() => fake.close());
  const dir = mkdtempSync(join(tmpdir(), 'early-rejection-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const proxy = await spawnProxy(t, { PORT: '0', OPENROUTER_API_KEY: 'sk-or-v1-test', OPENROUTER_BASE_URL: fake.url, FAILURE_DB: ':memory:', FREE_MODELS_CACHE: join(dir, 'cache'), ...env });
  return proxy.url;
}

const TEN_MB = Buffer.alloc(10 * 1024 * 1024, 'a');
const TRIES = 20;

const CASES: Array<{ name: string; env: Record<string, string>; path: string; status: number; error: RegExp }> = [
  { name: '401 without the proxy key', env: { PROXY_API_KEY: 'proxy-secret' }, path: '/api/chat', status: 401, error: /unauthorized/ },
  { name: '413 over MAX_BODY_MB (declared length)', env: { MAX_BODY_MB: '1' }, path: '/v1/chat/completions', status: 413, error: /MAX_BODY_MB/ },
  { name: '501 for a blob upload', env: {}, path: `/api/blobs/sha256:${'ab'.repeat(32)}`, status: 501, error: /not supported/ },
];

describe('an early rejection of a 10 MB body reaches the client, every time', () => {
  for (const { name, env, path, status, error } of CASES) {
    test(`${name}: fetch`, { timeout: 60_000 }, async (t) => {
      const url = await spawned(t, env);
      for (let i = 0; i < TRIES; i++) {
        const response = await fetch(`${url}${path}`, { method: 'POST', body: TEN_MB, headers: { 'Content-Type': 'application/octet-stream' } });
        assert.equal(response.status, status, `try ${i}`);
        assert.match(errorMessage(path.startsWith('/v1') ? 'openai' : 'ollama', await response.text()), error);
      }
    });
    test(`${name}: node:http`, { timeout: 60_000 }, async (t) => {
      const url = await spawned(t, env);
      for (let i = 0; i < TRIES; i++) {
        const answer = await call(url, path, { body: TEN_MB, headers: { 'Content-Type': 'application/octet-stream' }, timeoutMs: 20_000 });
        assert.equal(answer.status, status, `try ${i}`);
      }
    });
  }
});

test('a body within the bound is discarded whole and the connection is kept for the next request', async (t) => {
  // The socket is the point: what happens to the bytes of a refused body on the connection.
  const proxy = await startProxy(t, { env: { PROXY_API_KEY: 'proxy-secret' }, socket: true });
  const { port } = new URL(proxy.url);
  const socket = connect(Number(port), '127.0.0.1');
  let received = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
  await new Promise((resolve) => socket.once('connect', resolve));
  const body = 'x'.repeat(100_000);
  socket.write(`POST /api/chat HTTP/1.1\r\nHost: localhost\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
  socket.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
  while (!received.includes('Ollama is running')) await new Promise((resolve) => socket.once('data', resolve));
  socket.destroy();
  // Both answers on one connection: the 401, then the next request's 200 after the discarded body.
  assert.match(received, /^HTTP\/1\.1 401 [\s\S]*HTTP\/1\.1 200 /);
});

test('a body past the bound: the answer first, then the connection is half-closed and let go', { timeout: 30_000 }, async (t) => {
  // The socket is the point: what happens to the bytes of a refused body on the connection.
  const proxy = await startProxy(t, { env: { MAX_BODY_MB: '1' }, socket: true });
  const { port } = new URL(proxy.url);
  const socket = connect(Number(port), '127.0.0.1');
  socket.on('error', () => {});
  let received = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
  await new Promise((resolve) => socket.once('connect', resolve));
  // Declares 1 GB and keeps sending: the proxy must answer, stop reading after its bound, and close.
  socket.write(`POST /api/chat HTTP/1.1\r\nHost: localhost\r\nContent-Length: ${1024 ** 3}\r\n\r\n`);
  const chunk = Buffer.alloc(64 * 1024, 'a');
  const closed = new Promise((resolve) => socket.once('close', resolve));
  let sending = true;
  void closed.then(() => (sending = false));
  while (sending) {
    if (!socket.write(chunk)) await Promise.race([new Promise((resolve) => socket.once('drain', resolve)), closed]);
  }
  assert.match(received, /^HTTP\/1\.1 413 /);
  assert.match(received, /MAX_BODY_MB/);
});
