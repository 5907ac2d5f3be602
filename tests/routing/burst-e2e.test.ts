// One probe per retry in a rate-limit burst, and one request first after the per-minute cap lifts:
// a client that honours Retry-After (it moves the proxy's clock instead of sleeping) and the upstream
// requests every retry costs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startProxy, type Proxy } from '../helpers/harness.ts';
import { FREE_CHAT_ORDER, freezeClockAtFetch, getJson, handTimers, modelsTried, ollamaChat, waitFor } from '../helpers/free-mode-helpers.ts';

const GEMINI = FREE_CHAT_ORDER[0] as string;

/** Sends one request and reports what it cost upstream; the client then waits as Retry-After says (unless `impatient`). */
async function retry(proxy: Proxy, impatient = false) {
  const before = modelsTried(proxy).length;
  const reply = await ollamaChat(proxy, 'x', { stream: false });
  const retryAfter = Number(reply.headers.get('retry-after') ?? 0);
  if (!impatient) proxy.clock.wallMs = proxy.clock.wall() + retryAfter * 1000;
  return { status: reply.status, upstream: modelsTried(proxy).slice(before), retryAfter, text: reply.text };
}

test('a rate-limit burst on every model: the first request walks, each retry probes one model, the first after the burst is served', async (t) => {
  // MAX_WAIT_SECONDS under the 20 s between probes: a request that comes early is answered at once.
  const proxy = await startProxy(t, { limits: { maxWaitMs: 10_000 } });
  freezeClockAtFetch(proxy);
  proxy.fake.outage({ status: 429, durationMs: 600_000, retryAfterSeconds: 20 });

  const first = await retry(proxy);
  assert.equal(first.status, 429);
  assert.equal(first.upstream.length, 5, 'the first request walks MAX_ATTEMPTS models');
  assert.equal(first.retryAfter, 20, 'Retry-After: when the first of them is due back');
  // Five client retries: one upstream request each, the model due back first (untried ones are due
  // now), each when the last one probed is due back again.
  const retries = [];
  for (let i = 0; i < 5; i++) retries.push(await retry(proxy, i === 4));
  assert.deepEqual(retries.map((reply) => [reply.status, reply.upstream.length, reply.retryAfter]), Array.from({ length: 5 }, () => [429, 1, 20]));
  assert.deepEqual(retries.map((reply) => reply.upstream[0]), [...FREE_CHAT_ORDER.slice(5), GEMINI]);
  assert.match(retries[0]?.text ?? '', /rate limited upstream \(a burst since .*\): one model is tried per request until one answers, and mistralai\/mistral-small-3.1-24b-instruct:free was still rate limited; the next probe is worth making in 20 s/);
  // A client that does not wait as told (and would wait longer than MAX_WAIT_SECONDS) is answered at once, with nothing sent upstream.
  const early = await retry(proxy, true);
  assert.deepEqual([early.status, early.upstream, early.retryAfter], [429, [], 20]);
  const during = (await getJson(proxy, '/status')).body;
  assert.equal(during.rate_limit_burst.active, true);
  assert.equal(during.rate_limit_burst.next_probe_at, new Date(proxy.clock.wall() + 20_000).toISOString());
  assert.equal(during.saved_today.burst_walk, 6);

  // The burst ends upstream: the next retry, when told, is served by its one probe, and the burst is over.
  proxy.fake.endOutage();
  proxy.clock.wallMs = proxy.clock.wall() + early.retryAfter * 1000;
  const served = await retry(proxy);
  assert.deepEqual([served.status, served.upstream.length], [200, 1]);
  assert.equal((await getJson(proxy, '/status')).body.rate_limit_burst.active, false);
  assert.equal(modelsTried(proxy).length, 5 + 5 + 1, 'eleven upstream requests for eight client requests (with a walk per retry: 36)');
});

test('in a burst, a failure that is not a rate limit moves on to the next model due', async (t) => {
  const proxy = await startProxy(t, { limits: {} });
  freezeClockAtFetch(proxy);
  proxy.fake.outage({ status: 429, durationMs: 600_000, retryAfterSeconds: 20 });
  await retry(proxy);
  proxy.fake.endOutage();
  proxy.fake.script('mistralai/mistral-small-3.1-24b-instruct:free', { kind: 'http', status: 500 });
  const reply = await retry(proxy);
  assert.equal(reply.status, 200);
  assert.deepEqual(reply.upstream, ['mistralai/mistral-small-3.1-24b-instruct:free', 'meta-llama/llama-3.3-70b-instruct:free']);
});

test('in a burst, a request a little early waits for the next probe (within MAX_WAIT_SECONDS), then makes it', async (t) => {
  const hand = handTimers();
  const proxy = await startProxy(t, { limits: { timers: hand.timers } });
  const t0 = freezeClockAtFetch(proxy);
  proxy.fake.outage({ status: 429, durationMs: 600_000, retryAfterSeconds: 20 });
  await retry(proxy, true);
  proxy.clock.wallMs = t0 + 15_000;
  const early = ollamaChat(proxy, 'x', { stream: false });
  await waitFor(() => proxy.app.router.resilience().waits.waiting().count === 1, 'the request to wait for the probe');
  assert.equal(modelsTried(proxy).length, 5, 'nothing sent while it waits');
  proxy.clock.wallMs = t0 + 20_000;
  hand.fireAll();
  assert.equal((await early).status, 429);
  assert.equal(modelsTried(proxy).length, 6, 'one probe');
});

test('when the per-minute cap lifts, the first request out goes alone; the others send nothing while it hits the cap again', async (t) => {
  const hand = handTimers();
  const proxy = await startProxy(t, { limits: { timers: hand.timers } });
  const t0 = freezeClockAtFetch(proxy);
  const waiting = () => proxy.app.router.resilience().waits.waiting().count;
  proxy.fake.script(GEMINI, { kind: 'rate-limit', scope: 'per-min', resetAt: t0 + 10_000 }, { kind: 'rate-limit', scope: 'per-min', resetAt: t0 + 30_000 });
  const replies = [ollamaChat(proxy, 'x', { stream: false })];
  await waitFor(() => waiting() === 1, 'the first request to wait');
  replies.push(ollamaChat(proxy, 'x', { stream: false }), ollamaChat(proxy, 'x', { stream: false }));
  await waitFor(() => waiting() === 3, 'all three to wait');
  assert.equal(modelsTried(proxy).length, 1);

  // The cap lifts and is hit again at once: one request went out, the other two sent nothing.
  proxy.clock.wallMs = t0 + 10_000;
  hand.fireAll();
  await waitFor(() => waiting() === 3 && modelsTried(proxy).length === 2, 'the first out to hit the cap again, and all three to wait again');
  assert.equal(modelsTried(proxy).length, 2);

  // It lifts for good: the first out is answered, then the others go.
  proxy.clock.wallMs = t0 + 30_000;
  hand.fireAll();
  const answered = await Promise.all(replies);
  assert.deepEqual(answered.map((reply) => reply.status), [200, 200, 200]);
  assert.deepEqual(modelsTried(proxy), [GEMINI, GEMINI, GEMINI, GEMINI, GEMINI], 'five upstream requests for three answers');
});
