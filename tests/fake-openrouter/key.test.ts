import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AUTH, chat, startFake, userSays } from './helpers.ts';
import type { Json } from './helpers.ts';

const KEY_FIELDS = [
  'label', 'limit', 'limit_remaining', 'limit_reset', 'include_byok_in_limit',
  'usage', 'usage_daily', 'usage_weekly', 'usage_monthly',
  'byok_usage', 'byok_usage_daily', 'byok_usage_weekly', 'byok_usage_monthly',
  'is_free_tier', 'is_management_key', 'is_provisioning_key', 'creator_user_id', 'expires_at', 'rate_limit',
];

async function getKey(url: string, path = '/key'): Promise<Json> {
  const response = await fetch(`${url}${path}`, { headers: AUTH });
  assert.equal(response.status, 200);
  return ((await response.json()) as Json)['data'] as Json;
}

test('GET /key by default: a free-tier key without a limit, fields in the real order', async (t) => {
  const fake = await startFake(t);
  const data = await getKey(fake.url);
  assert.deepEqual(Object.keys(data), KEY_FIELDS);
  assert.deepEqual(data, {
    label: 'sk-or-v1-tes...000', limit: null, limit_remaining: null, limit_reset: null, include_byok_in_limit: false,
    usage: 0, usage_daily: 0, usage_weekly: 0, usage_monthly: 0,
    byok_usage: 0, byok_usage_daily: 0, byok_usage_weekly: 0, byok_usage_monthly: 0,
    is_free_tier: true, is_management_key: false, is_provisioning_key: false, creator_user_id: 'user_fake', expires_at: null,
    rate_limit: { requests: -1, interval: '10s', note: 'This field is deprecated and safe to ignore.' },
  });
  assert.deepEqual(await getKey(fake.url, '/auth/key'), data, 'legacy path answers the same');
});

test('GET /key for a paid key with a credit limit counts the replies served against it', async (t) => {
  const fake = await startFake(t, { key: { isFreeTier: false, limit: 10, limitReset: 'monthly', usage: 2.5 } });
  const before = await getKey(fake.url);
  assert.deepEqual([before['limit'], before['limit_remaining'], before['limit_reset'], before['usage'], before['is_free_tier']],
    [10, 7.5, 'monthly', 2.5, false]);
  assert.deepEqual(before['rate_limit'], { requests: 1000, interval: '1h', note: 'This field is deprecated and safe to ignore.' });
  const reply = (await (await chat(fake, userSays('hello there'))).json()) as Json;
  const cost = reply['usage']['cost'] as number;
  assert.ok(cost > 0, 'openai/gpt-4o is a paid model');
  const after = await getKey(fake.url);
  assert.equal(after['usage'], Number((2.5 + cost).toPrecision(10)));
  assert.equal(after['usage_daily'], after['usage']);
  assert.equal(after['limit_remaining'], Number((7.5 - cost).toPrecision(10)));
});

test('GET /key never reports a negative limit_remaining, and setKey changes the account', async (t) => {
  const fake = await startFake(t);
  fake.setKey({ isFreeTier: false, limit: 1, usage: 3 });
  const data = await getKey(fake.url);
  assert.equal(data['limit_remaining'], 0);
  assert.equal(data['limit_reset'], null);
});

test('GET /key needs the bearer key like chat does', async (t) => {
  const fake = await startFake(t);
  for (const headers of [{}, { Authorization: 'Bearer ' }, { Authorization: 'Basic abc' }]) {
    const response = await fetch(`${fake.url}/key`, { headers });
    assert.equal(response.status, 401);
    assert.deepEqual(await response.json(), { error: { code: 401, message: 'No auth credentials found' }, user_id: 'user_fake' });
  }
});
