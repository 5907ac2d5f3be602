// After an outage, OpenRouter answering for one model with something about that model (a 429, a
// 404...) proves it is back: the walk falls back as usual instead of answering the outage 503.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startProxy } from '../helpers/harness.ts';
import { FREE_CHAT_ORDER, getJson, modelsTried, ollamaChat } from '../helpers/free-mode-helpers.ts';

test('after an outage, a first model that is rate limited falls back to the next one: no lockout', async (t) => {
  const proxy = await startProxy(t);
  for (const model of FREE_CHAT_ORDER) proxy.fake.script(model, { kind: 'http', status: 502 });
  assert.equal((await ollamaChat(proxy, 'x', { stream: false })).status, 503);
  assert.equal((await getJson(proxy, '/status')).body.outage.active, true);

  proxy.fake.reset();
  const [first, second] = FREE_CHAT_ORDER;
  proxy.fake.script(first as string, { kind: 'rate-limit', scope: 'upstream' });
  const reply = await ollamaChat(proxy, 'x', { stream: false });
  assert.deepEqual([reply.status, reply.model, modelsTried(proxy)], [200, second, [first, second]]);
  const { body } = await getJson(proxy, '/status');
  assert.equal(body.outage.active, false);
  assert.deepEqual(body.cooldowns.map((cooldown: { model: string; kind: string }) => [cooldown.model, cooldown.kind]), [[first, 'rate-limit']]);
});

test('streams of different models breaking mid-answer count towards an outage too', async (t) => {
  const proxy = await startProxy(t);
  const [first, second, third] = FREE_CHAT_ORDER;
  for (const model of [first, second, third] as string[]) {
    proxy.fake.script(model, { kind: 'reset', afterChunks: 2 });
    const reply = await ollamaChat(proxy, model, { messages: [{ role: 'user', content: '[chunks=6] go' }] });
    assert.equal(reply.status, 200, 'the answer had started: the failure is reported inside the stream');
  }
  const { body } = await getJson(proxy, '/status');
  assert.equal(body.outage.active, true);
  assert.ok(!body.cooldowns.some((cooldown: { model: string }) => cooldown.model === third), 'the failure that revealed the outage cools nobody down');
});

test('the outage ends as soon as the trial starts answering, not when its stream ends', async (t) => {
  const proxy = await startProxy(t);
  proxy.fake.outage({ status: 502, durationMs: 300 });
  assert.equal((await ollamaChat(proxy, 'x', { stream: false })).status, 503);
  await proxy.fake.outageEnded();
  // A long streamed trial: its first content proves OpenRouter is back.
  const trial = proxy.fetch('/api/chat', { method: 'POST', body: JSON.stringify({ model: 'x', messages: [{ role: 'user', content: '[chunks=10] [delay=100] slow' }] }) });
  const response = await trial;
  assert.equal(response.status, 200);
  const others = await Promise.all([1, 2, 3].map(() => ollamaChat(proxy, 'y', { stream: false })));
  assert.deepEqual(others.map((reply) => reply.status), [200, 200, 200]);
  await response.text();
});
