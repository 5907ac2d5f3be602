// Waiting for a per-minute cap that lifts within MAX_WAIT_SECONDS, end to end, with hand-fired timers
// (no sleeps), and the daily free-request count across a restart.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { startProxy, type Proxy } from '../helpers/harness.ts';
import { FREE_CHAT_ORDER, freezeClockAtFetch, getJson, handTimers, modelsTried, ollamaChat, scratchDir, waitFor } from '../helpers/free-mode-helpers.ts';

const GEMINI = FREE_CHAT_ORDER[0] as string;

async function waitingProxy(t: Parameters<typeof startProxy>[0], socket = false) {
  const hand = handTimers();
  const proxy = await startProxy(t, { limits: { timers: hand.timers }, socket });
  const t0 = freezeClockAtFetch(proxy);
  return { proxy, t0, hand };
}

const waitingCount = (proxy: Proxy) => proxy.app.router.resilience()?.waits.waiting().count ?? 0;

const ROUTES = [
  { path: '/api/chat', stream: true },
  { path: '/api/chat', stream: false },
  { path: '/v1/chat/completions', stream: true },
  { path: '/v1/chat/completions', stream: false },
];

for (const { path, stream } of ROUTES) {
  test(`a per-minute cap that lifts soon is waited out, then the same model answers (${path}, stream: ${stream})`, async (t) => {
    const { proxy, t0, hand } = await waitingProxy(t);
    proxy.fake.script(GEMINI, { kind: 'rate-limit', scope: 'per-min', resetAt: t0 + 20_000 });
    let headersSent = false;
    const reply = proxy.fetch(path, { method: 'POST', body: JSON.stringify({ model: 'x', stream, messages: [{ role: 'user', content: 'hello' }] }) })
      .then((response) => ((headersSent = true), response.text().then((text) => ({ status: response.status, text, model: response.headers.get('x-proxy-model') }))));
    await waitFor(() => waitingCount(proxy) === 1, 'the request to wait');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(headersSent, false, 'nothing reaches the client while it waits');
    assert.deepEqual(modelsTried(proxy), [GEMINI]);
    proxy.clock.wallMs = t0 + 20_000;
    hand.fireAll();
    const answered = await reply;
    assert.equal(answered.status, 200);
    assert.equal(answered.model, GEMINI);
    assert.match(answered.text, /Echo:/);
    assert.match(answered.text, /hello/);
    // The cap covers every free model: the same model is retried, no other is tried.
    assert.deepEqual(modelsTried(proxy), [GEMINI, GEMINI]);
  });
}

test('a cap that lifts later than MAX_WAIT_SECONDS answers 429 with Retry-After at once', async (t) => {
  const { proxy, t0 } = await waitingProxy(t);
  proxy.fake.script(GEMINI, { kind: 'rate-limit', scope: 'per-min', resetAt: t0 + 45_000 });
  const reply = await ollamaChat(proxy, 'x', { stream: false });
  assert.equal(reply.status, 429);
  assert.equal(reply.headers.get('retry-after'), '45');
  assert.deepEqual(modelsTried(proxy), [GEMINI]);
  assert.equal(waitingCount(proxy), 0);
});

test('waiting requests are released in arrival order', async (t) => {
  const { proxy, t0, hand } = await waitingProxy(t);
  proxy.fake.script(GEMINI, { kind: 'rate-limit', scope: 'per-min', resetAt: t0 + 10_000 });
  const first = ollamaChat(proxy, 'x', { stream: false, messages: [{ role: 'user', content: 'first' }] });
  await waitFor(() => waitingCount(proxy) === 1, 'the first to wait');
  // The second finds the cap in force before any call: it waits without calling upstream.
  const second = ollamaChat(proxy, 'x', { stream: false, messages: [{ role: 'user', content: 'second' }] });
  await waitFor(() => waitingCount(proxy) === 2, 'the second to wait');
  assert.deepEqual(modelsTried(proxy), [GEMINI]);
  proxy.clock.wallMs = t0 + 10_000;
  hand.fireAll();
  await Promise.all([first, second]);
  const order = proxy.fake.chatRequests().slice(1).map((body) => (body.messages as { content: string }[])[0]?.content);
  assert.deepEqual(order, ['first', 'second']);
});

test('a client that disconnects while waiting sends nothing upstream', async (t) => {
  // The socket is the point: the proxy learns of the disconnect from the connection closing.
  const { proxy, t0, hand } = await waitingProxy(t, true);
  proxy.fake.script(GEMINI, { kind: 'rate-limit', scope: 'per-min', resetAt: t0 + 20_000 });
  const controller = new AbortController();
  const reply = fetch(`${proxy.url}/api/chat`, { method: 'POST', signal: controller.signal, body: JSON.stringify({ model: 'x', messages: [{ role: 'user', content: 'hi' }] }) });
  await waitFor(() => waitingCount(proxy) === 1, 'the request to wait');
  controller.abort();
  await assert.rejects(reply);
  await waitFor(() => waitingCount(proxy) === 0, 'the proxy to drop the waiter');
  assert.equal(hand.pending.length, 0, 'its timer went with it');
  proxy.clock.wallMs = t0 + 20_000;
  hand.fireAll();
  assert.deepEqual(modelsTried(proxy), [GEMINI], 'only the call that hit the cap');
});

test("today's free-request count survives a restart and shows in /status with the key's daily limit", async (t) => {
  const dir = scratchDir(t, 'usage-');
  const env = { FAILURE_DB: join(dir, 'failures.db') };
  const first = await startProxy(t, { limits: {}, env, dir });
  for (let i = 0; i < 2; i++) assert.equal((await ollamaChat(first, 'x')).status, 200);
  first.close();
  const second = await startProxy(t, { limits: {}, env, dir, useFake: first.fake });
  assert.equal((await ollamaChat(second, 'x')).status, 200);
  await waitFor(() => second.fake.requests.some((request) => request.path.endsWith('/key')), 'the /key read');
  const { body } = await getJson(second, '/status');
  assert.equal(body.free_requests_today.used, 3);
  await waitFor(() => second.app.router.resilience()?.usage?.status().limit === 50, 'the daily limit from /key');
  assert.equal((await getJson(second, '/status')).body.free_requests_today.limit, 50);
  assert.match(body.free_requests_today.resets_at, /T00:00:00\.000Z$/);
});

test('a per-minute cap that keeps coming back until MAX_ATTEMPTS runs out is answered as the cap: 429 with Retry-After', async (t) => {
  const proxy = await startProxy(t, { env: { MAX_ATTEMPTS: '3' } });
  const [first] = FREE_CHAT_ORDER;
  for (let i = 0; i < 3; i++) proxy.fake.script(first as string, { kind: 'rate-limit', scope: 'per-min', resetInMs: 100 });
  const reply = await ollamaChat(proxy, first as string, { stream: false });
  assert.equal(reply.status, 429);
  assert.match(reply.json().error, /free-models-per-min/);
  assert.ok(Number(reply.headers.get('retry-after')) >= 1);
  assert.equal(proxy.fake.chatRequests().length, 3, 'the same model, retried after each wait');
});
