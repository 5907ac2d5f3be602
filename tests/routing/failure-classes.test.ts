import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyFailure } from '../../src/routing/failure-policy.ts';
import type { CatalogModel } from '../../src/catalog/model-info.ts';
import { classifyUpstreamError } from '../../src/openrouter/upstream-error.ts';
import { openFailureStore } from '../../src/store/failure-store.ts';

const NOW = 1_800_000_000_000;

test('403s: a moderation refusal is its own class; other 403s, 401 and 402 stay fatal', () => {
  const rows: [number, string, string][] = [
    [403, 'openai/gpt-5 requires moderation on OpenRouter. Your input was flagged for "violence".', 'moderation'],
    [403, 'meta/llama requires moderation on OpenInference', 'moderation'],
    [403, 'Your input was flagged', 'moderation'],
    [403, 'Key limit exceeded (daily limit). Manage it using https://openrouter.ai/settings/keys', 'fatal'],
    [403, 'Request blocked: prompt injection patterns detected', 'fatal'],
    [401, 'User not found.', 'fatal'],
    [402, 'Insufficient credits. Add more using https://openrouter.ai/credits', 'fatal'],
  ];
  for (const [status, message, failure] of rows) {
    const error = classifyUpstreamError(status, { message, code: status }, undefined, NOW);
    assert.equal(error.failure, failure, message);
    assert.equal(error.status, status, 'the client still sees the upstream status');
  }
});

function cooldownAfter(status: number, message: string, headers: Record<string, string>): number | undefined {
  const { store } = openFailureStore(':memory:');
  const model = { id: 'vendor/model:free' } as CatalogModel;
  const error = classifyUpstreamError(status, { message, code: status }, new Headers(headers), NOW);
  const stop = applyFailure(store, model, error, { failureCooldownMs: 300_000, rateLimitCooldownMs: 60_000, now: () => NOW }, NOW + 86_400_000);
  assert.equal(stop, undefined, 'the next model is tried');
  const until = store.get(model.id)?.cooldownUntil;
  store.close();
  return until === undefined ? undefined : until - NOW;
}

test('a 503 or 429 with Retry-After cools the model down for exactly that long; without it, the usual times', () => {
  const rows: [number, string, Record<string, string>, number | undefined][] = [
    [503, 'Service Unavailable', { 'retry-after': '17' }, 17_000],
    [503, 'Service Unavailable', {}, 300_000],
    [502, 'Bad Gateway', {}, 300_000],
    [429, 'Provider returned error', { 'retry-after': '7' }, 7_000],
    [429, 'Provider returned error', {}, 60_000],
    [403, 'requires moderation on OpenInference', {}, undefined],
  ];
  for (const [status, message, headers, expected] of rows) assert.equal(cooldownAfter(status, message, headers), expected, `${status} ${JSON.stringify(headers)}`);
});
