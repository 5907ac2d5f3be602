// Outage evidence is OpenRouter's, not a provider's: free providers fail one at a time every day, and
// a failure OpenRouter attributes to a provider (metadata.provider_name, "Provider returned error")
// cools that model down as before but never counts towards an OpenRouter outage.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startProxy } from '../helpers/harness.ts';
import { FREE_CHAT_ORDER, freezeClockAtFetch, getJson, modelsTried, ollamaChat } from '../helpers/free-mode-helpers.ts';

const FIRST_FOUR = FREE_CHAT_ORDER.slice(0, 4);
const FIFTH = FREE_CHAT_ORDER[4] as string;

test('provider 502s on four models: no outage, each is cooled down, and the fifth answers', async (t) => {
  const proxy = await startProxy(t, { limits: {} });
  freezeClockAtFetch(proxy);
  FIRST_FOUR.forEach((model, i) => proxy.fake.script(model, { kind: 'http', status: 502, raw: 'upstream connect error or disconnect/reset before headers', providerName: `Provider${i}` }));
  const reply = await ollamaChat(proxy, 'x', { stream: false });
  assert.equal(reply.status, 200, reply.text);
  assert.equal(reply.model, FIFTH);
  assert.equal(reply.attempts, '5');
  assert.deepEqual(modelsTried(proxy), [...FIRST_FOUR, FIFTH], 'five upstream requests, the answer in the last');
  const status = (await getJson(proxy, '/status')).body;
  assert.equal(status.outage.active, false);
  const cooled = status.cooldowns.map((entry: { model: string; kind: string }) => [entry.model, entry.kind]).sort();
  assert.deepEqual(cooled, FIRST_FOUR.map((model) => [model, 'general']).sort());
});

test('the same 502s without a provider behind them are an OpenRouter outage, as before', async (t) => {
  const proxy = await startProxy(t, { limits: {} });
  for (const model of FIRST_FOUR) proxy.fake.script(model, { kind: 'http', status: 502 });
  const reply = await ollamaChat(proxy, 'x', { stream: false });
  assert.equal(reply.status, 503);
  assert.match(reply.text, /OpenRouter appears to be down/);
  assert.equal(modelsTried(proxy).length, 3);
});
