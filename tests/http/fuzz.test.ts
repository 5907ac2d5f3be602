// A bounded, seeded fuzz run: generated garbage at every route. Every answer must be well-formed
// (an error in the API's shape, or a parseable success), none may be an internal error, every
// upstream request must go to the configured OpenRouter, and the server must still answer afterwards.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { test, type TestContext } from 'node:test';
import { createHttpServer } from '../../src/http/http-server.ts';
import { checkAnswer, createRandom, METHODS, randomBody, randomHeaders, randomPath, randomRawRequest, checkRawAnswer } from '../helpers/fuzz-inputs.ts';
import { startProxy, type Proxy } from '../helpers/harness.ts';
import { call } from '../helpers/reliability-helpers.ts';

const SEED = 0x5eed_2026;
const REQUESTS = 600;
const RAW_REQUESTS = 200;
const PARALLEL = 12;

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
  for (let start = 0; start < RAW_REQUESTS; start += PARALLEL) {
    await Promise.all(Array.from({ length: Math.min(PARALLEL, RAW_REQUESTS - start) }, async () => {
      const bytes = randomRawRequest(random);
      const socket = connect(Number(url.port), url.hostname);
      socket.on('error', () => {});
      let answer = '';
      socket.setEncoding('latin1').on('data', (chunk: string) => (answer += chunk));
      socket.end(bytes);
      const closed = once(socket, 'close');
      const timer = setTimeout(() => socket.destroy(new Error('no close')), 5_000);
      await closed;
      clearTimeout(timer);
      checkRawAnswer(bytes, answer);
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
