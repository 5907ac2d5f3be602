// Outages, MAX_ATTEMPTS, probes, Retry-After cooldowns and moderation fallback, end to end against
// the offline OpenRouter with resilience on (AppDeps.limits).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateCatalog, type Fault } from '../../src/fake-openrouter/server.ts';
import { startProxy, type Proxy } from '../helpers/harness.ts';
import { attemptLogs, FREE_CHAT_ORDER, freezeClockAtFetch, getJson, MINUTE, modelsTried, ollamaChat, openaiChat } from '../helpers/free-mode-helpers.ts';

const [GEMINI, QUASAR, QWEN, DEEPSEEK] = FREE_CHAT_ORDER;

function scriptAll(proxy: Proxy, ...faults: Fault[]): void {
  for (const model of FREE_CHAT_ORDER) proxy.fake.script(model, ...faults);
}

const status = async (proxy: Proxy) => (await getJson(proxy, '/status')).body;
const outageLogs = (proxy: Proxy) => proxy.logs.map((line) => JSON.parse(line)).filter((entry) => /outage/i.test(entry.msg)).map((entry) => entry.level);

test('a 502 outage: answered 503 with Retry-After after three models, no cooldowns, one trial call per request, then served', async (t) => {
  const proxy = await startProxy(t, { limits: {} });
  scriptAll(proxy, ...Array.from({ length: 4 }, () => ({ kind: 'http', status: 502 }) as const));
  const calls: number[] = [];
  for (const send of [() => ollamaChat(proxy, 'x'), () => openaiChat(proxy, 'x'), () => openaiChat(proxy, 'x', { stream: true })]) {
    proxy.fake.requests.length = 0;
    const reply = await send();
    assert.equal(reply.status, 503);
    assert.ok(Number(reply.headers.get('retry-after')) >= 1);
    assert.match(reply.text, /OpenRouter appears to be down/);
    calls.push(modelsTried(proxy).length);
  }
  // Three models to see it, then one trial call per request while it lasts.
  assert.deepEqual(calls, [3, 1, 1]);
  const during = await status(proxy);
  assert.equal(during.outage.active, true);
  assert.deepEqual(during.cooldowns, []);
  proxy.fake.reset();
  const after = await ollamaChat(proxy, 'x');
  assert.equal(after.status, 200);
  const recovered = await status(proxy);
  assert.equal(recovered.outage.active, false);
  assert.deepEqual(recovered.cooldowns, []);
  assert.deepEqual(outageLogs(proxy), ['WARN', 'INFO']);
});

test('a 401 outage across requests for different models: fast answers, no cooldowns, the first request after it succeeds', async (t) => {
  const proxy = await startProxy(t, { limits: {} });
  scriptAll(proxy, ...Array.from({ length: 3 }, () => ({ kind: 'http', status: 401, message: 'User not found.' }) as const));
  const statuses: number[] = [];
  for (const model of [GEMINI, QWEN, DEEPSEEK, GEMINI]) {
    proxy.fake.requests.length = 0;
    statuses.push((await ollamaChat(proxy, model as string)).status);
    assert.ok(modelsTried(proxy).length <= 1);
  }
  assert.deepEqual(statuses, [401, 401, 503, 503]);
  assert.deepEqual((await status(proxy)).cooldowns, []);
  proxy.fake.reset();
  assert.equal((await ollamaChat(proxy, 'x')).status, 200);
  assert.equal((await status(proxy)).outage.active, false);
});

test('MAX_ATTEMPTS caps the walk over 10+ failing models; the 429 answer carries Retry-After and names the cap', async (t) => {
  const proxy = await startProxy(t, { limits: {}, fake: { models: generateCatalog(60, 7) } });
  const visible = proxy.app.router.visibleModels().filter((model) => !model.capabilities.embedding).map((model) => model.id);
  assert.ok(visible.length >= 10, `${visible.length} free chat models`);
  for (const model of visible) proxy.fake.script(model, { kind: 'rate-limit', scope: 'upstream' });
  const reply = await openaiChat(proxy, 'x');
  assert.equal(reply.status, 429);
  assert.equal(modelsTried(proxy).length, 5);
  assert.match(reply.json().error.message, /^all 5 models tried failed \(MAX_ATTEMPTS=5\); last error/);
  assert.ok(Number(reply.headers.get('retry-after')) >= 1);
});

function coolEverything(proxy: Proxy, t0: number): void {
  FREE_CHAT_ORDER.forEach((model, index) => proxy.store.recordFailure(model, 'general', t0, () => t0 + (index === 2 ? 1 : 5) * MINUTE));
}

test('every model cooling down: a half-open probe of the soonest-due one is served and clears its cooldown', async (t) => {
  const proxy = await startProxy(t, { limits: {} });
  const t0 = freezeClockAtFetch(proxy);
  coolEverything(proxy, t0);
  const reply = await openaiChat(proxy, 'x');
  assert.equal(reply.status, 200);
  assert.equal(reply.model, QWEN);
  assert.deepEqual(modelsTried(proxy), [QWEN]);
  assert.equal(proxy.store.isCoolingDown(QWEN as string, t0), false);
  assert.deepEqual((await status(proxy)).probes, []);
});

test('a failing probe answers 503 with Retry-After, and only the probed model was called', async (t) => {
  const proxy = await startProxy(t, { limits: {} });
  const t0 = freezeClockAtFetch(proxy);
  coolEverything(proxy, t0);
  proxy.fake.script(QWEN as string, { kind: 'http', status: 500 });
  const reply = await ollamaChat(proxy, 'x');
  assert.equal(reply.status, 503);
  assert.match(reply.json().error, /a probe of the soonest-due one failed too/);
  assert.ok(Number(reply.headers.get('retry-after')) >= 1);
  assert.deepEqual(modelsTried(proxy), [QWEN]);
});

test('a 503 with Retry-After cools that model down for exactly that long', async (t) => {
  const proxy = await startProxy(t, { limits: {} });
  const t0 = freezeClockAtFetch(proxy);
  proxy.fake.script(GEMINI as string, { kind: 'http', status: 503, retryAfterSeconds: 17 });
  const reply = await ollamaChat(proxy, 'x');
  assert.equal(reply.model, QUASAR);
  assert.equal(proxy.store.get(GEMINI as string)?.cooldownUntil, t0 + 17_000);
});

test('a moderation refusal moves on to the next model without a cooldown; another 403 stops', async (t) => {
  const proxy = await startProxy(t, { limits: {} });
  proxy.fake.script(GEMINI as string, { kind: 'http', status: 403, message: `${GEMINI} requires moderation on OpenInference. Your input was flagged for "violence".` });
  const reply = await openaiChat(proxy, 'x');
  assert.equal(reply.status, 200);
  assert.equal(reply.model, QUASAR);
  assert.deepEqual(attemptLogs(proxy).map((entry) => entry.outcome), ['moderation', 'ok']);
  assert.equal(proxy.store.get(GEMINI as string), undefined);
  proxy.fake.reset();
  proxy.fake.script(GEMINI as string, { kind: 'http', status: 403, message: 'Key limit exceeded (daily limit). Manage it using https://openrouter.ai/settings/keys' });
  assert.equal((await openaiChat(proxy, 'x')).status, 403);
  assert.deepEqual(modelsTried(proxy), [GEMINI]);
});
