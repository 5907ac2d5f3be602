// Faults on the client side: a client that leaves, a client that reads slowly, a long stream, and
// clients that send their request too slowly.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { describe, test, type TestContext } from 'node:test';
import { createHttpServer } from '../../src/http/http-server.ts';
import { ndjson, startProxy, type Proxy } from '../helpers/harness.ts';
import { activeTimers, assertSettled, countingFetch, errorMessage, eventually } from '../helpers/reliability-helpers.ts';

const API = [
  { name: 'Ollama', path: '/api/chat' },
  { name: 'OpenAI', path: '/v1/chat/completions' },
] as const;

/** Starts a streamed chat and resolves with the response once its headers arrive. */
async function openStream(url: string, path: string, content: string, stream = true): Promise<{ req: ClientRequest; res: IncomingMessage }> {
  const req = request(`${url}${path}`, { method: 'POST', agent: false, headers: { 'Content-Type': 'application/json' } });
  req.end(JSON.stringify({ model: 'qwen3-coder:free', stream, messages: [{ role: 'user', content }] }));
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  return { req, res };
}

// The socket is the point in these two: a client that closes its connection, and backpressure
// through node's socket buffers.
describe('a client that disconnects', () => {
  for (const api of API) {
    test(`${api.name}: mid-stream, the upstream request is aborted within a second, and the model is not blamed`, async (t) => {
      const proxy = await startProxy(t, { socket: true });
      const timersBefore = activeTimers();
      const { req, res } = await openStream(proxy.url, api.path, '[chunks=1000] [delay=20]');
      await once(res, 'data');
      const left = performance.now();
      req.destroy();
      assert.equal(await proxy.fake.waitForAbort(1_000), true, 'the fake saw the upstream request aborted');
      assert.ok(performance.now() - left < 1_000);
      // Leaving is the client's business: no cooldown, no failure recorded against the model.
      assert.deepEqual(proxy.store.activeCooldowns(Date.now()), []);
      await assertSettled(proxy, timersBefore);
    });

    test(`${api.name}: while waiting for the first token, the upstream request is aborted`, async (t) => {
      const proxy = await startProxy(t, { socket: true });
      const timersBefore = activeTimers();
      proxy.fake.script('*', { kind: 'stall', afterChunks: 0 });
      const req = request(`${proxy.url}${api.path}`, { method: 'POST', agent: false, headers: { 'Content-Type': 'application/json' } });
      req.on('error', () => {});
      req.end(JSON.stringify({ model: 'qwen3-coder:free', stream: true, messages: [{ role: 'user', content: 'hello' }] }));
      await eventually(() => proxy.fake.activeStreams() === 1, 'the upstream stream is open');
      req.destroy();
      assert.equal(await proxy.fake.waitForAbort(1_000), true);
      assert.deepEqual(proxy.store.activeCooldowns(Date.now()), []);
      await assertSettled(proxy, timersBefore);
    });

    test(`${api.name}: during a non-streamed request, the upstream request is aborted`, async (t) => {
      const proxy = await startProxy(t, { socket: true });
      const timersBefore = activeTimers();
      proxy.fake.script('*', { kind: 'delay', ms: 10_000 });
      const req = request(`${proxy.url}${api.path}`, { method: 'POST', agent: false, headers: { 'Content-Type': 'application/json' } });
      req.on('error', () => {});
      req.end(JSON.stringify({ model: 'qwen3-coder:free', stream: false, messages: [{ role: 'user', content: 'hello' }] }));
      await eventually(() => proxy.fake.chatRequests().length === 1, 'the request reached the fake');
      req.destroy();
      assert.equal(await proxy.fake.waitForAbort(1_000), true);
      assert.deepEqual(proxy.store.activeCooldowns(Date.now()), []);
      await assertSettled(proxy, timersBefore);
    });
  }
});

describe('a slow reader', () => {
  // 400k chunks are about 110 MB of SSE: far more than every socket buffer on the way can hold.
  const CHUNKS = 400_000;
  const STREAM_BYTES = CHUNKS * 270;
  for (const api of API) {
    test(`${api.name}: backpressure reaches OpenRouter, memory stays bounded, and a pause is not a stall`, async (t) => {
      const counter = countingFetch();
      const proxy = await startProxy(t, { fetch: counter.fetch, env: { STREAM_IDLE_TIMEOUT_SECONDS: '0.2' }, socket: true });
      const { req, res } = await openStream(proxy.url, api.path, `[chunks=${CHUNKS}]`);
      res.pause();
      // Wait for the pipeline to fill up and stop: the proxy pulls nothing more while the client reads nothing.
      await counter.settled();
      const held = counter.bytes();
      assert.ok(held < STREAM_BYTES / 2, `the proxy pulled ${held} bytes of a ${STREAM_BYTES}-byte stream while the client read nothing`);
      // The pause lasted several idle timeouts, yet the upstream stream is still alive: reading again pulls more.
      assert.equal(proxy.fake.abortedStreams(), 0);
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk.slice(0, 1_000)));
      res.resume();
      await eventually(() => counter.bytes() > held + 1_000_000, 'the stream carries on once the client reads again', 10_000);
      assert.doesNotMatch(text, /error/);
      req.destroy();
      assert.equal(await proxy.fake.waitForAbort(1_000), true);
    });
  }
});

describe('a long stream', () => {
  // The original Go proxy cut every stream at 30 s with a write timeout. Waiting ten minutes would
  // prove little more than this does: every timeout the server has is set far shorter than the
  // stream, with node checking them every 20 ms, and the stream still arrives whole. The same
  // server answers a slow request with a 408, so the limits are live, they just never apply to an
  // answer being streamed. Nothing else in the proxy bounds a stream that keeps sending.
  const TIMEOUTS = { headersTimeoutMs: 150, requestTimeoutMs: 150, keepAliveTimeoutMs: 150, checkIntervalMs: 20 };

  async function serve(proxy: Proxy, t: TestContext): Promise<string> {
    const server = createHttpServer(proxy.app, TIMEOUTS);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.after(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });
    const address = server.address();
    assert.ok(typeof address === 'object' && address !== null);
    assert.equal(server.timeout, 0, 'no socket inactivity timeout');
    return `http://127.0.0.1:${address.port}`;
  }

  for (const api of API) {
    test(`${api.name}: a stream far longer than every server timeout is not cut`, async (t) => {
      const proxy = await startProxy(t);
      const url = await serve(proxy, t);
      const started = performance.now();
      const { res } = await openStream(url, api.path, '[chunks=12] [delay=100]');
      let text = '';
      for await (const chunk of res.setEncoding('utf8')) text += chunk;
      const elapsed = performance.now() - started;
      assert.ok(elapsed > 7 * TIMEOUTS.requestTimeoutMs, `the stream took ${elapsed} ms`);
      const expected = Array.from({ length: 12 }, (_, i) => `tok${i} `).join('');
      if (api.name === 'Ollama') {
        const lines = ndjson(text);
        assert.equal(lines.map((line) => line.message.content).join(''), expected);
        assert.equal(lines.at(-1).done, true);
      } else {
        assert.ok(text.endsWith('data: [DONE]\n\n'));
        assert.equal([...text.matchAll(/"content":"(tok\d+ )"/g)].map((match) => match[1]).join(''), expected);
      }
    });
  }

  test('the same server answers slow headers and a slow body with a 408 in the API shape', async (t) => {
    const proxy = await startProxy(t);
    const url = new URL(await serve(proxy, t));
    const rawExchange = async (bytes: string): Promise<string> => {
      const socket = connect(Number(url.port), url.hostname);
      socket.write(bytes);
      let answer = '';
      socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
      await once(socket, 'close');
      return answer;
    };
    const slowHeaders = await rawExchange('POST /api/chat HTTP/1.1\r\nHost: localhost\r\n');
    assert.match(slowHeaders, /^HTTP\/1\.1 408 /);
    assert.match(errorMessage('ollama', slowHeaders.slice(slowHeaders.indexOf('\r\n\r\n') + 4)), /request timed out/);
    const slowBody = await rawExchange('POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"model":');
    assert.match(slowBody, /^HTTP\/1\.1 408 /);
    assert.match(errorMessage('openai', slowBody.slice(slowBody.indexOf('\r\n\r\n') + 4)), /request timed out/);
    // And it still answers.
    const alive = await fetch(`${url.origin}/api/version`);
    assert.equal(alive.status, 200);
    await alive.text();
  });
});
