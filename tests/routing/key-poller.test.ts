import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startFakeOpenRouter } from '../../src/fake-openrouter/server.ts';
import { createLogger } from '../../src/logger.ts';
import { createOpenRouterClient } from '../../src/openrouter/client.ts';
import { createKeyPoller, dailyLimitOf } from '../../src/openrouter/key-poller.ts';
import type { KeyInfo } from '../../src/openrouter/types.ts';
import { UpstreamError } from '../../src/errors.ts';

function clientFor(baseUrl: string, apiKey: string) {
  return createOpenRouterClient({
    baseUrl, apiKey, fetch, firstTokenTimeoutMs: 5000, streamIdleTimeoutMs: 5000, requestTimeoutMs: 5000, now: Date.now, monotonic: performance.now.bind(performance),
  });
}

test('dailyLimitOf: 50 on the free tier, 1000 once credits were bought', () => {
  const rows: [KeyInfo, number][] = [[{ is_free_tier: true }, 50], [{ is_free_tier: false }, 1000], [{}, 50]];
  for (const [info, limit] of rows) assert.equal(dailyLimitOf(info), limit);
});

test('keyInfo reads GET /key from the offline OpenRouter, and a missing key is a 401', async (t) => {
  const fake = await startFakeOpenRouter();
  t.after(() => fake.close());
  const info = await clientFor(fake.url, 'sk-or-v1-test-key-0123456789').keyInfo();
  assert.equal(info.is_free_tier, true);
  assert.equal(typeof info.usage, 'number');
  await assert.rejects(clientFor(fake.url, '').keyInfo(), (error: unknown) => error instanceof UpstreamError && error.status === 401);
});

test('the poller reads at start and on every tick, and keeps the last tier when a read fails', async () => {
  const logs: { level: string }[] = [];
  const ticks: (() => void)[] = [];
  const answers: (KeyInfo | Error)[] = [{ is_free_tier: true }, { is_free_tier: true }, { is_free_tier: false }, new Error('OpenRouter is down')];
  let reads = 0;
  const poller = createKeyPoller({
    client: { keyInfo: async () => { const next = answers[reads++]; if (next instanceof Error) throw next; return next ?? {}; } },
    logger: createLogger('DEBUG', (line) => void logs.push(JSON.parse(line))),
    now: () => 42,
    every: (callback, ms) => { assert.equal(ms, 3_600_000); ticks.push(callback); return { stop: () => ticks.pop() }; },
  });
  assert.equal(poller.dailyLimit(), undefined);
  await poller.start();
  assert.deepEqual(poller.status(), { freeTier: true, dailyLimit: 50, checkedAt: 42, error: undefined });
  await poller.start();
  assert.equal(ticks.length, 1, 'a second start does not add a timer');
  assert.equal(poller.dailyLimit(), 50);
  ticks[0]?.();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(poller.dailyLimit(), 1000);
  ticks[0]?.();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(poller.dailyLimit(), 1000);
  assert.equal(poller.status().error, 'OpenRouter is down');
  assert.equal(logs.filter((entry) => entry.level === 'WARN').length, 1);
  poller.stop();
  assert.equal(ticks.length, 0);
});

test('the real poller against the offline OpenRouter', async (t) => {
  const fake = await startFakeOpenRouter();
  t.after(() => fake.close());
  const poller = createKeyPoller({ client: clientFor(fake.url, 'sk-or-v1-test-key-0123456789'), logger: createLogger('ERROR', () => {}), now: () => 7 });
  t.after(() => poller.stop());
  await poller.start();
  assert.deepEqual(poller.status(), { freeTier: true, dailyLimit: 50, checkedAt: 7, error: undefined });
});
