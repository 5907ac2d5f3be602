// How /v1/responses answers OpenRouter's free-model caps, read the way Codex reads them (codex-rs
// api_bridge.rs): the daily cap, which lifts only at midnight UTC, is a 429 of type
// `usage_limit_reached` with `resets_at` and the proxy's message in `x-codex-promo-message`, which Codex
// neither retries nor hides; the per-minute cap stays a plain `rate_limit_error` 429 that it retries.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { post, startProxy } from '../helpers/harness.ts';

const request = { model: 'qwen3-coder:free', input: 'Hello', stream: true };

function nextUtcMidnightSeconds(): number {
  const now = new Date();
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1) / 1000;
}

test('the daily cap: 429 usage_limit_reached with resets_at and the message in x-codex-promo-message', async (t) => {
  const proxy = await startProxy(t, { fake: { freeLimits: { perDay: 0 } } });
  for (const attempt of ['from OpenRouter', 'refused locally until midnight']) {
    const reply = await post(proxy, '/v1/responses', request);
    assert.equal(reply.status, 429, attempt);
    const { error } = reply.json();
    assert.equal(error.type, 'usage_limit_reached', attempt);
    assert.equal(error.resets_at, nextUtcMidnightSeconds(), attempt);
    assert.match(error.message, /daily free-model request limit is used up/, attempt);
    assert.equal(reply.headers.get('x-codex-promo-message'), error.message.replace(/\.$/, ''), attempt);
  }
  assert.equal(proxy.fake.chatRequests().length, 1, 'the second request never reaches OpenRouter');
  // Other /v1 clients keep OpenAI's plain rate-limit shape.
  const chat = await post(proxy, '/v1/chat/completions', { model: 'qwen3-coder:free', messages: [{ role: 'user', content: 'Hi' }] });
  assert.equal(chat.status, 429);
  assert.equal(chat.json().error.type, 'rate_limit_error');
  assert.equal(chat.headers.get('x-codex-promo-message'), null);
});

test('the per-minute cap stays a retryable 429 rate_limit_error with Retry-After', async (t) => {
  const proxy = await startProxy(t, { env: { MAX_WAIT_SECONDS: '0' }, fake: { freeLimits: { perMinute: 0 } } });
  const reply = await post(proxy, '/v1/responses', request);
  assert.equal(reply.status, 429);
  assert.equal(reply.json().error.type, 'rate_limit_error');
  assert.match(reply.headers.get('retry-after') ?? '', /^\d+$/);
  assert.equal(reply.headers.get('x-codex-promo-message'), null);
  assert.equal(proxy.fake.chatRequests().length, 1);
});
