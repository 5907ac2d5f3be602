// Tables for the free quota's pure policy: which models can hold a prompt, what an overflow teaches,
// structured-output preference, the burst tracker, the lift gate, the savings count, and which
// failures count as evidence of an outage.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CatalogModel } from '../../src/catalog/model-info.ts';
import type { TokenEstimate } from '../../src/chat/estimate-tokens.ts';
import { UpstreamError } from '../../src/errors.ts';
import { classifyUpstreamError } from '../../src/openrouter/upstream-error.ts';
import { burstError, createBurstTracker, dueFirst, firstProbeAt } from '../../src/routing/burst.ts';
import { canHold, contextNeededAfter, isContextOverflow, promptTooLarge } from '../../src/routing/context-fit.ts';
import { createLiftGate } from '../../src/routing/lift-gate.ts';
import { classifyFailure } from '../../src/routing/attempt-outcome.ts';
import { createSavings } from '../../src/routing/savings.ts';
import { outputOf, preferOutput } from '../../src/routing/structured-output.ts';
import { openFailureStore } from '../../src/store/failure-store.ts';

const model = (id: string, contextLength: number, caps: Partial<CatalogModel['capabilities']> = {}) =>
  ({ id, contextLength, capabilities: { structuredOutputs: false, jsonMode: false, ...caps } }) as CatalogModel;
const estimate = (tokens: number, atLeast: number): TokenEstimate => ({ tokens, atLeast, atMost: tokens * 2 });

describe('canHold: skip a model only when even the low end of the estimate fills its context', () => {
  const cases: Array<[string, number, TokenEstimate | undefined, number, boolean]> = [
    ['well inside', 131_072, estimate(50_000, 40_000), 0, true],
    ['the estimate is over, its low end is not: tried', 65_536, estimate(70_000, 60_000), 0, true],
    ['even the low end is over: skipped', 65_536, estimate(90_000, 70_000), 0, false],
    ['the low end exactly fills it: skipped (no room to answer)', 8192, estimate(9000, 8192), 0, false],
    ['unknown context: tried', 0, estimate(90_000, 70_000), 0, true],
    ['no estimate: tried', 8192, undefined, 0, true],
    ['an overflow said 70,001 are needed: skipped', 65_536, estimate(10, 8), 70_001, false],
    ['an overflow said 70,001 are needed: a larger one is tried', 131_072, estimate(10, 8), 70_001, true],
  ];
  for (const [name, context, size, needed, expected] of cases) test(name, () => assert.equal(canHold(model('m', context), size, needed), expected));
});

describe('contextNeededAfter: what an upstream overflow teaches', () => {
  const overflow = (message: string) => new UpstreamError(400, message, 'fatal');
  const llama = model('meta-llama/llama-3.3-70b-instruct:free', 65_536);
  const cases: Array<[string, string, number]> = [
    ["OpenRouter's message names the text input", "This endpoint's maximum context length is 65536 tokens. However, you requested about 70000 tokens (60000 of text input, 10000 in the output). Please…", 60_001],
    ['only the maximum: more than that', "This endpoint's maximum context length is 8192 tokens. However, you requested about 9000 tokens.", 8193],
    ['neither: more than this model', 'prompt is too long', 65_537],
  ];
  for (const [name, message, expected] of cases) {
    test(name, () => {
      assert.ok(isContextOverflow(overflow(message)));
      assert.equal(contextNeededAfter(overflow(message), llama), expected);
    });
  }
  test('other 400s are not overflows', () => assert.equal(isContextOverflow(overflow('Invalid request parameters')), false));
});

test('promptTooLarge: a 400 that opens as Anthropic\'s does and names the estimate and the largest context', () => {
  const error = promptTooLarge({ tokens: 15_003, atLeast: 12_003, atMost: 20_003 }, [model('acme/chat-7b:free', 8192), model('other/chat-7b:free', 4096)]);
  assert.equal(error.status, 400);
  assert.equal(error.message, "prompt is too long: 15003 tokens > 8192 maximum (an estimate, at least 12003 tokens; the largest context among the 2 free models that could serve this request is acme/chat-7b:free's); nothing was sent upstream");
});

describe('structured output: a schema goes where it is honoured, when anywhere', () => {
  const schema = model('schema', 1, { structuredOutputs: true, jsonMode: true });
  const json = model('json', 1, { jsonMode: true });
  const prose = model('prose', 1);
  const cases: Array<[string, 'json_schema' | 'json_object' | undefined, CatalogModel[], string[], boolean]> = [
    ['a schema: only models with structured_outputs', 'json_schema', [prose, json, schema], ['schema'], false],
    ['JSON mode: any model with response_format', 'json_object', [prose, json, schema], ['json', 'schema'], false],
    ['nothing asked: every model', undefined, [prose, json], ['prose', 'json'], false],
    ['no model honours it: every model, and unmet', 'json_schema', [prose, json], ['prose', 'json'], true],
  ];
  for (const [name, need, models, expected, unmet] of cases) {
    test(name, () => {
      const chosen = preferOutput(models, need);
      assert.deepEqual([chosen.models.map((entry) => entry.id), chosen.unmet], [expected, unmet]);
    });
  }
  test('outputOf reads response_format', () => {
    assert.deepEqual([outputOf({ response_format: { type: 'json_schema', json_schema: { name: 'x', schema: {} } } }), outputOf({ response_format: { type: 'json_object' } }), outputOf({})],
      ['json_schema', 'json_object', undefined]);
  });
});

test('the burst tracker: starts on an all-rate-limited walk, ends on an answer or after ten quiet minutes', () => {
  const burst = createBurstTracker();
  assert.equal(burst.current(0), undefined);
  burst.rateLimited(1000, 61_000);
  burst.rateLimited(5000, 65_000);
  assert.deepEqual(burst.current(6000), { since: 1000, lastRateLimitAt: 5000, nextProbeAt: 65_000 });
  burst.answered();
  assert.equal(burst.current(6000), undefined);
  burst.rateLimited(10_000, 10_000);
  assert.ok(burst.current(10_000 + 10 * 60_000 - 1));
  assert.equal(burst.current(10_000 + 10 * 60_000), undefined, 'quiet for ten minutes');
});

test('due first: untried models, then the soonest cooldown; the first probe when the first cooled model is due; the 429 says when', (t) => {
  const { store } = openFailureStore(':memory:');
  t.after(() => store.close());
  const [a, b, c] = [model('a', 1), model('b', 1), model('c', 1)] as [CatalogModel, CatalogModel, CatalogModel];
  store.recordFailure('a', 'rate-limit', 0, () => 90_000);
  store.recordFailure('b', 'rate-limit', 0, () => 30_000);
  assert.deepEqual(dueFirst([a, b, c], store).map((entry) => entry.id), ['c', 'b', 'a']);
  assert.equal(firstProbeAt([a, b, c], store, 10_000), 30_000, 'untried c does not pull the first probe forward');
  assert.equal(firstProbeAt([c], store, 10_000), 10_000);
  const error = burstError({ since: 0, lastRateLimitAt: 0, nextProbeAt: 30_000 }, 10_000, 'a was still rate limited');
  assert.equal(error.status, 429);
  assert.equal(error.headers['Retry-After'], '20');
  assert.match(error.message, /a burst since 1970-01-01T00:00:00.000Z\): one model is tried per request until one answers, and a was still rate limited; the next probe is worth making in 20 s/);
  assert.equal(burstError({ since: 0, lastRateLimitAt: 0, nextProbeAt: 0 }, 10_000, 'x').headers['Retry-After'], '1', 'never less than a second');
});

test('the lift gate: the first out goes alone; the others wait for its outcome, once per lift', async () => {
  const gate = createLiftGate();
  const signal = new AbortController().signal;
  const release = await gate.pass(60_000, signal);
  assert.equal(typeof release, 'function');
  let waited = false;
  const second = gate.pass(60_000, signal).then((value) => ((waited = true), value));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(waited, false, 'the second waits while the first is out');
  release?.();
  assert.equal(await second, undefined);
  assert.equal(await gate.pass(60_000, signal), undefined, 'after the outcome, the same lift lets everyone go');
  assert.equal(typeof (await gate.pass(120_000, signal)), 'function', 'a new lift has a new first');
  const aborted = new AbortController();
  const third = gate.pass(120_000, aborted.signal);
  aborted.abort(new Error('client left'));
  await assert.rejects(third, /client left/);
});

test('savings count per UTC day', () => {
  let now = Date.UTC(2026, 0, 1, 23, 59);
  const savings = createSavings(() => now);
  savings.save('session_title');
  savings.save('session_title');
  savings.save('burst_walk');
  assert.deepEqual(savings.today(), { day: '2026-01-01', counts: { session_title: 2, count_tokens: 0, too_large: 0, burst_walk: 1 } });
  now += 60_000;
  assert.deepEqual(savings.today(), { day: '2026-01-02', counts: { session_title: 0, count_tokens: 0, too_large: 0, burst_walk: 0 } });
});

describe("outage evidence is OpenRouter's, not a provider's", () => {
  const classify = (status: number, body: object) => classifyUpstreamError(status, { code: status, ...body }, undefined, 0);
  const cases: Array<[string, UpstreamError, string | undefined, string]> = [
    ['a 502 a provider is named for', classify(502, { message: 'Provider returned error', metadata: { raw: 'upstream connect error', provider_name: 'Chutes' } }), 'Chutes', 'other'],
    ["a provider's raw error without its name", classify(502, { message: 'Provider returned error', metadata: { raw: 'bad gateway' } }), 'unnamed provider', 'other'],
    ["OpenRouter's own 502", classify(502, { message: 'Provider returned error' }), undefined, 'server'],
    ["OpenRouter's own 500", classify(500, { message: 'Internal Server Error' }), undefined, 'server'],
    ['a platform 429 (provider_name null)', classify(429, { message: 'Rate limit exceeded: free-models-per-min. ', metadata: { provider_name: null } }), undefined, 'other'],
    ['a revoked key', classify(401, { message: 'User not found.' }), undefined, 'auth'],
  ];
  for (const [name, error, provider, signal] of cases) {
    test(name, () => {
      assert.equal(error.provider, provider);
      assert.equal(classifyFailure(error).signal, signal);
    });
  }
});
