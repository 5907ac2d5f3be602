// `app.request` (what `proxy.fetch` and the SDK tests use) answers as fetch over the node server does:
// the same status and headers, request bodies streamed or not, the client's abort rejecting the call
// or breaking the body with its reason, a cancelled body, and backpressure. Each behaviour is checked
// both ways, so the socket is the point here: it is what the socket-free path is measured against.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startProxy, type Proxy } from '../helpers/harness.ts';
import { countingFetch, eventually } from '../helpers/reliability-helpers.ts';

const WAYS = [
  { name: 'over a socket', socket: true, send: (proxy: Proxy, path: string, init?: RequestInit) => fetch(`${proxy.url}${path}`, init) },
  { name: 'through app.request', socket: false, send: (proxy: Proxy, path: string, init?: RequestInit) => proxy.fetch(path, init) },
] as const;

const chat = (content: string, stream = true) => JSON.stringify({ model: 'qwen3-coder:free', stream, messages: [{ role: 'user', content }] });
const post = (body: RequestInit['body'], signal?: AbortSignal): RequestInit => ({ method: 'POST', body, ...(signal ? { signal } : {}) });

/** The status of the request log's newest row, once the request has finished. */
async function loggedStatus(proxy: Proxy): Promise<number | undefined> {
  await eventually(() => proxy.app.requests.recent()[0]?.status !== undefined, 'the request is logged');
  return proxy.app.requests.recent()[0]?.status;
}

test('the same status and headers as the node server, HEAD and streamed replies included', async (t) => {
  const proxy = await startProxy(t, { socket: true, env: { PROXY_API_KEY: 'key' } });
  const auth = { Authorization: 'Bearer key' };
  const cases: Array<[string, RequestInit]> = [
    ['/', {}], ['/', { method: 'HEAD' }], ['/api/tags', { headers: auth }], ['/api/tags', { method: 'HEAD', headers: auth }],
    ['/api/tags', {}], ['/api/nope', { headers: auth }], ['/dashboard', {}], ['/dashboard', { method: 'HEAD' }],
    ['/api/chat', { method: 'OPTIONS', headers: { Origin: 'http://localhost:3000', 'Access-Control-Request-Method': 'POST' } }],
    ['/api/chat', { ...post(chat('streamed')), headers: auth }],
  ];
  // node:http's own connection headers, which no socket-free answer has.
  const framing = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);
  const seen = (response: Response) => ({ status: response.status, headers: [...response.headers].filter(([name]) => !framing.has(name)) });
  for (const [path, init] of cases) {
    const [socket, app] = [await fetch(`${proxy.url}${path}`, init), await proxy.fetch(path, init)];
    assert.deepEqual(seen(app), seen(socket), `${init.method ?? 'GET'} ${path}`);
    const [socketText, appText] = [await socket.text(), await app.text()];
    assert.equal(appText.length > 0, socketText.length > 0, `${init.method ?? 'GET'} ${path}: a body both ways, or neither`);
    if (!path.startsWith('/api/chat')) assert.equal(appText, socketText);
  }
});

for (const way of WAYS) {
  describe(way.name, () => {
    test('a streamed request body and a Request object are read whole; a streamed one over MAX_BODY_MB is a 413', async (t) => {
      const proxy = await startProxy(t, { socket: way.socket, env: { MAX_BODY_MB: '1' } });
      const bytes = new TextEncoder().encode(chat('in pieces', false));
      const pieces = ReadableStream.from([bytes.subarray(0, 7), bytes.subarray(7, 40), bytes.subarray(40)]);
      const streamed = await way.send(proxy, '/api/chat', { ...post(pieces), duplex: 'half' } as RequestInit);
      assert.equal(((await streamed.json()) as any).message.content, 'Echo: in pieces');
      const base = way.socket ? proxy.url : 'http://localhost';
      const request = new Request(`${base}/api/chat`, post(chat('as a Request', false)));
      const answered = await (way.socket ? fetch(request) : proxy.fetch(request));
      assert.equal(((await answered.json()) as any).message.content, 'Echo: as a Request');
      const big = new TextEncoder().encode(chat('x'.repeat(2_000_000), false));
      const tooLarge = await way.send(proxy, '/api/chat', { ...post(ReadableStream.from([big.subarray(0, 500_000), big.subarray(500_000)])), duplex: 'half' } as RequestInit);
      assert.equal(tooLarge.status, 413);
      assert.match(((await tooLarge.json()) as any).error, /MAX_BODY_MB/);
      assert.equal(proxy.fake.chatRequests().length, 2);
    });

    test('an abort before the answer rejects the call with the signal\'s reason and aborts the upstream request', async (t) => {
      const proxy = await startProxy(t, { socket: way.socket });
      proxy.fake.script('*', { kind: 'stall', afterChunks: 0 });
      const client = new AbortController();
      const answer = way.send(proxy, '/api/chat', post(chat('hello'), client.signal));
      await eventually(() => proxy.fake.activeStreams() === 1, 'the upstream stream is open');
      client.abort();
      await assert.rejects(answer, { name: 'AbortError' });
      assert.equal(await proxy.fake.waitForAbort(1_000), true);
      assert.equal(await loggedStatus(proxy), 499);
      assert.deepEqual(proxy.store.activeCooldowns(Date.now()), [], 'leaving is the client\'s business');
      assert.equal(proxy.fake.chatRequests().length, 1);
    });

    test('a streamed reply arrives while the upstream still sends; an abort then breaks the body with the signal\'s reason', { timeout: 10_000 }, async (t) => {
      const proxy = await startProxy(t, { socket: way.socket });
      proxy.fake.script('*', { kind: 'stall', afterChunks: 2 });
      const client = new AbortController();
      const response = await way.send(proxy, '/api/chat', post(chat('[chunks=4] go'), client.signal));
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      const first = await reader.read();
      assert.match(new TextDecoder().decode(first.value), /"content":"tok0 "/);
      assert.equal(proxy.fake.activeStreams(), 1, 'the upstream stream is still open: the reply was not buffered');
      const reason = new Error('the user pressed stop');
      client.abort(reason);
      await assert.rejects(async () => {
        while (!(await reader.read()).done);
      }, (error) => error === reason);
      assert.equal(await proxy.fake.waitForAbort(1_000), true);
      assert.equal(await loggedStatus(proxy), 499);
      assert.deepEqual(proxy.store.activeCooldowns(Date.now()), []);
    });

    test('cancelling the body mid-stream aborts the upstream request', async (t) => {
      const proxy = await startProxy(t, { socket: way.socket });
      proxy.fake.script('*', { kind: 'stall', afterChunks: 2 });
      const response = await way.send(proxy, '/v1/chat/completions', post(chat('[chunks=4] go')));
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      assert.match(new TextDecoder().decode((await reader.read()).value), /^data: /);
      await reader.cancel();
      assert.equal(await proxy.fake.waitForAbort(1_000), true);
      assert.equal(await loggedStatus(proxy), 499);
      assert.deepEqual(proxy.store.activeCooldowns(Date.now()), []);
    });
  });
}

test('through app.request, a reader that stops reading holds the upstream stream back (backpressure)', async (t) => {
  const counter = countingFetch();
  const proxy = await startProxy(t, { fetch: counter.fetch });
  // 400k chunks are about 110 MB of SSE.
  const streamBytes = 400_000 * 270;
  const response = await proxy.fetch('/api/chat', post(chat('[chunks=400000] go')));
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  await reader.read();
  await counter.settled();
  assert.ok(counter.bytes() < streamBytes / 100, `the proxy pulled ${counter.bytes()} bytes of a ${streamBytes}-byte stream while the client read nothing`);
  // Reading again pulls more (each read takes every line ready, so a few reads are enough).
  const held = counter.bytes();
  for (let i = 0; i < 100 && counter.bytes() <= held; i++) await reader.read();
  assert.ok(counter.bytes() > held, 'reading again pulls more');
  await reader.cancel();
  assert.equal(await proxy.fake.waitForAbort(1_000), true);
  assert.ok(counter.bytes() < streamBytes / 2, 'the stream was not read to its end');
});

test('the harness: a proxy started without `socket: true` has no url, and says how to get one', async (t) => {
  const proxy = await startProxy(t);
  assert.equal(proxy.socket, false);
  assert.throws(() => proxy.url, /pass `socket: true` to startProxy/);
  assert.throws(() => proxy.server, /pass `socket: true` to startProxy/);
  assert.equal((await proxy.fetch('/')).status, 200);
});
