import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { chat, embed, FREE_MODEL, startFake, userSays } from './helpers.ts';
import type { Json } from './helpers.ts';

const PER_MIN = 'Rate limit exceeded: free-models-per-min. ';

test('scripted 429 and 503 faults carry Retry-After only when asked', async (t) => {
  const fake = await startFake(t);
  fake.script(FREE_MODEL,
    { kind: 'rate-limit', scope: 'upstream', retryAfterSeconds: 3 },
    { kind: 'http', status: 503, retryAfterSeconds: 9 },
    { kind: 'http', status: 503 },
    { kind: 'rate-limit', scope: 'upstream' });
  const seen = [];
  for (let i = 0; i < 4; i++) {
    const response = await chat(fake, userSays('hi', { model: FREE_MODEL }));
    seen.push([response.status, response.headers.get('retry-after')]);
  }
  assert.deepEqual(seen, [[429, '3'], [503, '9'], [503, null], [429, null]]);
});

test('a scripted free-models-per-min 429 resets at the next minute boundary, or resetInMs from now', async (t) => {
  const fake = await startFake(t);
  fake.script(FREE_MODEL, { kind: 'rate-limit', scope: 'per-min' }, { kind: 'rate-limit', scope: 'per-min', resetInMs: 250 });
  const before = Date.now();
  const boundary = await chat(fake, userSays('hi', { model: FREE_MODEL }));
  const reset = Number(boundary.headers.get('x-ratelimit-reset'));
  assert.equal(reset % 60_000, 0);
  assert.ok(reset > before && reset <= Date.now() + 60_000);
  const body = (await boundary.json()) as Json;
  assert.equal(body['error']['message'], PER_MIN);
  assert.deepEqual(body['error']['metadata'], {
    headers: { 'X-RateLimit-Limit': '20', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(reset) }, provider_name: null,
  });

  const sentAt = Date.now();
  const short = await chat(fake, userSays('hi', { model: FREE_MODEL }));
  const shortReset = Number(short.headers.get('x-ratelimit-reset'));
  assert.ok(shortReset >= sentAt + 250 && shortReset <= Date.now() + 250);
  assert.equal(((await short.json()) as Json)['error']['metadata']['headers']['X-RateLimit-Reset'], String(shortReset));
});

test('the account-wide per-minute cap counts every :free model and lifts at the reset it announced', async (t) => {
  const fake = await startFake(t, { freeLimits: { perMinute: 2, minuteWindowMs: 1000 } });
  // Start right after a window boundary so that two admitted requests and the refused one share a window.
  await sleep(1000 - (Date.now() % 1000));
  assert.equal((await chat(fake, userSays('a', { model: FREE_MODEL }))).status, 200);
  assert.equal((await embed(fake, 'nvidia/llama-nemotron-embed-vl-1b-v2:free', 'b')).status, 200);
  assert.equal((await chat(fake, userSays('paid models are not capped'))).status, 200);
  const refused = await chat(fake, userSays('c', { model: 'qwen/qwen3-coder:free', stream: true }));
  assert.equal(refused.status, 429);
  const reset = refused.headers.get('x-ratelimit-reset') ?? '';
  assert.equal(Number(reset) % 1000, 0, 'the window boundary');
  assert.equal(refused.headers.get('x-ratelimit-limit'), '2');
  assert.equal(refused.headers.get('x-ratelimit-remaining'), '0');
  const body = (await refused.json()) as Json;
  assert.equal(body['error']['message'], PER_MIN);
  assert.equal(body['error']['metadata']['headers']['X-RateLimit-Reset'], reset);
  // Wait as a client would: until the announced reset, then the cap has lifted.
  await sleep(Math.max(0, Number(reset) - Date.now()));
  assert.equal((await chat(fake, userSays('d', { model: FREE_MODEL }))).status, 200);
});

test('the daily cap answers free-models-per-day (or -high-balance for a key with credits) until 00:00 UTC', async (t) => {
  const fake = await startFake(t, { freeLimits: { perDay: 1 } });
  assert.equal((await chat(fake, userSays('a', { model: FREE_MODEL }))).status, 200);
  const daily = await chat(fake, userSays('b', { model: FREE_MODEL }));
  assert.equal(daily.status, 429);
  assert.equal(Number(daily.headers.get('x-ratelimit-reset')) % 86_400_000, 0);
  assert.equal(daily.headers.get('x-ratelimit-limit'), '1');
  const body = (await daily.json()) as Json;
  assert.match(body['error']['message'], /^Rate limit exceeded: free-models-per-day\. Add 10 credits/);
  assert.equal(body['error']['metadata']['limit_source'], 'openrouter_free_tier_daily');
  fake.setKey({ isFreeTier: false });
  const high = (await (await chat(fake, userSays('c', { model: FREE_MODEL }))).json()) as Json;
  assert.equal(high['error']['message'], 'Rate limit exceeded: free-models-per-day-high-balance. ');
  fake.setFreeLimits(undefined);
  assert.equal((await chat(fake, userSays('d', { model: FREE_MODEL }))).status, 200, 'no caps, no 429');
});
