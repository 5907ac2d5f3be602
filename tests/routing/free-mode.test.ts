// Free mode end to end against the offline OpenRouter: which failures fall back, what each one costs
// the model (cooldown kind and length, on an injected clock), when the walk stops, and the headers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Fault } from '../../src/fake-openrouter/server.ts';
import type { FailureKind } from '../../src/store/failure-store.ts';
import {
  attemptLogs, FREE_CHAT_ORDER, FREE_ORDER, freezeClockAtFetch, getJson, HOUR, MINUTE, modelsTried, ndjsonLines, ollamaChat, openaiChat,
} from '../helpers/free-mode-helpers.ts';
import { post, startProxy } from '../helpers/harness.ts';

const [GEMINI, QUASAR, QWEN] = FREE_ORDER;
const TOOL_USE_MESSAGE = 'No endpoints found that support tool use. To learn more about provider routing, visit: https://openrouter.ai/docs/guides/routing/provider-selection';

interface FallbackCase {
  name: string;
  fault: Fault;
  /** The outcome logged for the failed attempt. */
  outcome: string;
  /** The cooldown the failed model gets, or undefined for none. */
  cooldown: { kind: FailureKind; ms: number } | undefined;
  env?: Record<string, string>;
}

const FALLBACK_CASES: FallbackCase[] = [
  { name: 'HTTP 500', fault: { kind: 'http', status: 500 }, outcome: 'transient', cooldown: { kind: 'general', ms: 5 * MINUTE } },
  { name: 'HTTP 503 with the cause in metadata.raw', fault: { kind: 'http', status: 503, raw: 'model overloaded' }, outcome: 'transient', cooldown: { kind: 'general', ms: 5 * MINUTE } },
  { name: 'HTTP 408', fault: { kind: 'http', status: 408 }, outcome: 'transient', cooldown: { kind: 'general', ms: 5 * MINUTE } },
  { name: 'connection reset before the response', fault: { kind: 'reset', afterChunks: -1 }, outcome: 'transient', cooldown: { kind: 'general', ms: 5 * MINUTE } },
  { name: 'a 200 stream whose first event is an error chunk', fault: { kind: 'error-chunk', afterChunks: 0 }, outcome: 'transient', cooldown: { kind: 'general', ms: 5 * MINUTE } },
  { name: 'a 200 stream whose first event is a bare error body', fault: { kind: 'error-body', status: 503 }, outcome: 'transient', cooldown: { kind: 'general', ms: 5 * MINUTE } },
  { name: 'a 200 stream whose first event is malformed', fault: { kind: 'malformed', afterChunks: 0 }, outcome: 'transient', cooldown: { kind: 'general', ms: 5 * MINUTE } },
  { name: 'a 200 stream that ends before any content', fault: { kind: 'truncate', afterChunks: 0 }, outcome: 'transient', cooldown: { kind: 'general', ms: 5 * MINUTE } },
  {
    name: 'no data event before FIRST_TOKEN_TIMEOUT_SECONDS (keep-alive comments do not count)',
    fault: { kind: 'stall', afterChunks: 0, keepAliveEveryMs: 30 },
    outcome: 'transient',
    cooldown: { kind: 'general', ms: 5 * MINUTE },
    env: { FIRST_TOKEN_TIMEOUT_SECONDS: '0.2' },
  },
  { name: "the provider's own 429", fault: { kind: 'rate-limit', scope: 'upstream' }, outcome: 'rate-limit', cooldown: { kind: 'rate-limit', ms: MINUTE } },
  { name: "the provider's own 429 with Retry-After: 30", fault: { kind: 'rate-limit', scope: 'upstream', retryAfterSeconds: 30 }, outcome: 'rate-limit', cooldown: { kind: 'rate-limit', ms: 30_000 } },
  { name: 'an in-band 429 as the first event', fault: { kind: 'error-chunk', afterChunks: 0, code: 429, message: 'Rate limit exceeded' }, outcome: 'rate-limit', cooldown: { kind: 'rate-limit', ms: MINUTE } },
  { name: 'RATELIMIT_COOLDOWN_MINUTES=3', fault: { kind: 'rate-limit', scope: 'upstream' }, outcome: 'rate-limit', cooldown: { kind: 'rate-limit', ms: 3 * MINUTE }, env: { RATELIMIT_COOLDOWN_MINUTES: '3' } },
  { name: 'FAILURE_COOLDOWN_MINUTES=2', fault: { kind: 'http', status: 502 }, outcome: 'transient', cooldown: { kind: 'general', ms: 2 * MINUTE }, env: { FAILURE_COOLDOWN_MINUTES: '2' } },
  // Gone models wait for the next catalog refresh: the clock is frozen at the fetch, and the TTL is 24 h.
  { name: '404 No endpoints found', fault: { kind: 'no-endpoints' }, outcome: 'gone', cooldown: { kind: 'gone', ms: 24 * HOUR } },
  { name: '404 free period ended', fault: { kind: 'free-period-ended' }, outcome: 'gone', cooldown: { kind: 'gone', ms: 24 * HOUR } },
  { name: 'gone with CACHE_TTL_HOURS=3', fault: { kind: 'no-endpoints' }, outcome: 'gone', cooldown: { kind: 'gone', ms: 3 * HOUR }, env: { CACHE_TTL_HOURS: '3' } },
  { name: 'gone never shorter than an hour (CACHE_TTL_HOURS=0.1)', fault: { kind: 'no-endpoints' }, outcome: 'gone', cooldown: { kind: 'gone', ms: HOUR }, env: { CACHE_TTL_HOURS: '0.1' } },
  // Not the model's fault, and another model can do it: move on without a cooldown.
  { name: 'no endpoint supports tool use', fault: { kind: 'http', status: 404, message: TOOL_USE_MESSAGE }, outcome: 'unsupported', cooldown: undefined },
  {
    name: "a prompt longer than this model's context window",
    fault: { kind: 'http', status: 400, message: "This endpoint's maximum context length is 8192 tokens. However, you requested about 9000 tokens." },
    outcome: 'unsupported',
    cooldown: undefined,
  },
];

test('every failure before content falls back to the next free model and cools the first one down as its kind says', async (t) => {
  for (const testCase of FALLBACK_CASES) {
    await t.test(testCase.name, async (t) => {
      const proxy = await startProxy(t, { env: testCase.env });
      const t0 = freezeClockAtFetch(proxy);
      proxy.fake.script(GEMINI, testCase.fault);

      const reply = await ollamaChat(proxy, 'gemini-2.0-flash-exp:free');

      assert.equal(reply.status, 200, reply.text);
      assert.deepEqual(modelsTried(proxy), [GEMINI, QUASAR]);
      assert.equal(reply.model, QUASAR);
      assert.equal(reply.attempts, '2');
      assert.equal(ndjsonLines(reply.text).map((line) => line.message?.content ?? '').join(''), 'Echo: hello');
      const failure = proxy.store.get(GEMINI);
      if (testCase.cooldown === undefined) assert.equal(failure, undefined, 'no cooldown');
      else assert.deepEqual(failure, { model: GEMINI, kind: testCase.cooldown.kind, count: 1, lastFailureAt: t0, cooldownUntil: t0 + testCase.cooldown.ms });
      assert.equal(proxy.store.get(QUASAR), undefined, 'the model that answered has no failure state');
      const attempts = attemptLogs(proxy);
      assert.deepEqual(attempts.map((entry) => [entry.level, entry.model, entry.attempt, entry.outcome]), [
        ['INFO', GEMINI, 1, testCase.outcome],
        ['INFO', QUASAR, 2, 'ok'],
      ]);
    });
  }
});

test('the OpenAI endpoint falls back the same way, streamed and not', async (t) => {
  const proxy = await startProxy(t);
  freezeClockAtFetch(proxy);
  proxy.fake.script(GEMINI, { kind: 'http', status: 500 });
  proxy.fake.script(QUASAR, { kind: 'error-chunk', afterChunks: 0 });
  const plain = await openaiChat(proxy, 'anything-at-all');
  assert.equal(plain.status, 200, plain.text);
  assert.equal(plain.json().choices[0].message.content, 'Echo: hello');
  assert.deepEqual([plain.model, plain.attempts], [QWEN, '3']);
  assert.deepEqual(modelsTried(proxy), [GEMINI, QUASAR, QWEN]);

  proxy.fake.reset();
  proxy.fake.script(QWEN, { kind: 'rate-limit', scope: 'upstream' });
  // Gemini and quasar are cooling down now; the walk starts at qwen.
  const streamed = await openaiChat(proxy, 'anything-at-all', { stream: true });
  assert.equal(streamed.status, 200, streamed.text);
  assert.deepEqual(modelsTried(proxy), [QWEN, 'deepseek/deepseek-r1:free']);
  assert.deepEqual([streamed.model, streamed.attempts], ['deepseek/deepseek-r1:free', '2']);
  assert.match(streamed.text, /data: \[DONE\]/);
});

test('the requested model goes first, by listed name, full id or :latest; any other name still works', async (t) => {
  const proxy = await startProxy(t);
  const cases: Array<[string, string]> = [
    ['llama-3.3-70b-instruct:free', 'meta-llama/llama-3.3-70b-instruct:free'],
    ['meta-llama/llama-3.3-70b-instruct:free', 'meta-llama/llama-3.3-70b-instruct:free'],
    ['quasar-alpha', 'openrouter/quasar-alpha'],
    ['quasar-alpha:latest', 'openrouter/quasar-alpha'],
    ['OpenRouter/Quasar-Alpha', 'openrouter/quasar-alpha'],
    ['acme/chat-7b:free', 'acme/chat-7b:free'],
    // Not free, or not a model at all: the best free model answers.
    ['gpt-4o', GEMINI],
    ['llama3.2', GEMINI],
  ];
  for (const [requested, expected] of cases) {
    proxy.fake.reset();
    const reply = await ollamaChat(proxy, requested, { stream: false });
    assert.equal(reply.status, 200, `${requested}: ${reply.text}`);
    assert.deepEqual([reply.model, reply.attempts, modelsTried(proxy)], [expected, '1', [expected]], requested);
    assert.equal(reply.json().model, requested, 'the client sees the name it asked for');
  }
});

test('a requested model in cooldown is skipped; the walk goes on in priority order', async (t) => {
  const proxy = await startProxy(t);
  freezeClockAtFetch(proxy);
  proxy.fake.script('openai/gpt-oss-20b:free', { kind: 'http', status: 502 });
  await ollamaChat(proxy, 'gpt-oss-20b:free');
  proxy.fake.reset();
  const reply = await ollamaChat(proxy, 'gpt-oss-20b:free');
  assert.deepEqual([reply.model, modelsTried(proxy)], [GEMINI, [GEMINI]]);
});

test('after content has been sent, a failure is reported inside the stream and still cools the model down', async (t) => {
  for (const fault of [{ kind: 'error-chunk', afterChunks: 2 }, { kind: 'reset', afterChunks: 2 }] as const) {
    await t.test(fault.kind, async (t) => {
      const proxy = await startProxy(t);
      const t0 = freezeClockAtFetch(proxy);
      proxy.fake.script(GEMINI, fault);
      const reply = await ollamaChat(proxy, 'x', { messages: [{ role: 'user', content: 'one two three four five' }] });
      assert.equal(reply.status, 200);
      assert.deepEqual([reply.model, reply.attempts], [GEMINI, '1']);
      assert.deepEqual(modelsTried(proxy), [GEMINI], 'no fallback once the client has content');
      const lines = ndjsonLines(reply.text);
      assert.ok(lines.some((line) => (line.message?.content ?? '') !== ''), 'some content arrived first');
      assert.equal(typeof lines.at(-1)?.error, 'string', 'the stream ends with the error');
      assert.deepEqual(proxy.store.get(GEMINI), { model: GEMINI, kind: 'general', count: 1, lastFailureAt: t0, cooldownUntil: t0 + 5 * MINUTE });
    });
  }
});

test('failures no other model could fix stop the walk at once, without cooldowns', async (t) => {
  const cases: Array<[string, Fault, number, RegExp]> = [
    ['invalid key', { kind: 'http', status: 401 }, 401, /User not found/],
    ['no credits', { kind: 'http', status: 402 }, 402, /Insufficient credits/],
    ['key limit', { kind: 'http', status: 403 }, 403, /Key limit exceeded/],
    ['malformed request', { kind: 'http', status: 400 }, 400, /Invalid request parameters/],
  ];
  for (const [name, fault, status, message] of cases) {
    await t.test(name, async (t) => {
      const proxy = await startProxy(t);
      proxy.fake.script(GEMINI, fault);
      const reply = await ollamaChat(proxy, 'x');
      assert.equal(reply.status, status);
      assert.match(reply.json().error, message);
      assert.deepEqual(modelsTried(proxy), [GEMINI]);
      assert.equal(proxy.store.get(GEMINI), undefined);
      assert.deepEqual(attemptLogs(proxy).map((entry) => entry.outcome), ['fatal']);
    });
  }
});

test('when every model fails, the error names how many were tried and the last real cause; then all are cooling down', async (t) => {
  // MAX_ATTEMPTS is raised so that the walk reaches every model (the cap has its own tests).
  const proxy = await startProxy(t, { env: { MAX_ATTEMPTS: '20' } });
  const t0 = freezeClockAtFetch(proxy);
  proxy.fake.script(GEMINI, { kind: 'http', status: 503 });
  proxy.fake.script(QUASAR, { kind: 'rate-limit', scope: 'upstream' });
  proxy.fake.script(QWEN, { kind: 'http', status: 502, raw: '{"error":{"message":"CUDA out of memory"}}', providerName: 'Chutes' });
  for (const id of FREE_CHAT_ORDER.slice(3)) proxy.fake.script(id, { kind: 'http', status: 404, message: TOOL_USE_MESSAGE });

  const reply = await ollamaChat(proxy, 'x');
  assert.equal(reply.status, 502);
  assert.equal(reply.json().error, `all ${FREE_CHAT_ORDER.length} models tried failed; last error (${QWEN}): Provider returned error (Chutes): CUDA out of memory`);
  assert.deepEqual(modelsTried(proxy), [...FREE_CHAT_ORDER]);

  // Only the three that really failed are cooling down; the rest merely could not serve tools.
  proxy.fake.reset();
  for (const id of FREE_CHAT_ORDER.slice(3)) proxy.fake.script(id, { kind: 'rate-limit', scope: 'upstream' });
  await ollamaChat(proxy, 'x');
  assert.deepEqual(modelsTried(proxy), FREE_CHAT_ORDER.slice(3));
  assert.equal(proxy.store.activeCooldowns(proxy.clock.wall()).length, FREE_CHAT_ORDER.length, 'now all are cooling down');
  // The last walk found every model it tried rate limited: a burst. A request before the first of
  // them is due back sends nothing and is told when a probe is worth making (quasar, rate-limited
  // for a minute, is due back first); then one probe of it answers, and clears its cooldown.
  proxy.fake.reset();
  const blocked = await ollamaChat(proxy, 'x');
  assert.equal(blocked.status, 429);
  assert.deepEqual(modelsTried(proxy), [], 'nothing sent before the probe is worth making');
  assert.match(blocked.json().error, /free models are rate limited upstream \(a burst since .*\): one model is tried per request until one answers, and none is due back yet; the next probe is worth making in 60 s/);
  assert.equal(blocked.headers.get('retry-after'), '60');
  assert.equal(proxy.store.get(QUASAR)?.cooldownUntil, t0 + MINUTE);
  proxy.clock.wallMs = t0 + MINUTE;
  const probed = await ollamaChat(proxy, 'x');
  assert.deepEqual([probed.status, modelsTried(proxy)], [200, [QUASAR]]);
  assert.equal(proxy.store.get(QUASAR), undefined, 'a probe that works clears its cooldown');
});

test('consecutive general failures back off: FAILURE_COOLDOWN_MINUTES × min(count, 5); a success clears the state', async (t) => {
  const proxy = await startProxy(t);
  let now = freezeClockAtFetch(proxy);
  const expected = [5, 10, 15, 20, 25, 25];
  for (const [index, minutes] of expected.entries()) {
    proxy.fake.script(GEMINI, { kind: 'http', status: 500 });
    await ollamaChat(proxy, 'gemini-2.0-flash-exp:free');
    assert.deepEqual(proxy.store.get(GEMINI), { model: GEMINI, kind: 'general', count: index + 1, lastFailureAt: now, cooldownUntil: now + minutes * MINUTE });
    // Still cooling down a millisecond before the end, available at the end.
    proxy.fake.reset();
    proxy.clock.wallMs = now + minutes * MINUTE - 1;
    assert.equal((await ollamaChat(proxy, 'gemini-2.0-flash-exp:free')).model, QUASAR);
    now += minutes * MINUTE;
    proxy.clock.wallMs = now;
  }
  proxy.fake.reset();
  const recovered = await ollamaChat(proxy, 'gemini-2.0-flash-exp:free');
  assert.equal(recovered.model, GEMINI);
  assert.equal(proxy.store.get(GEMINI), undefined, 'a success clears the state');
});

test('the daily free-model cap stops the walk, blocks every free model until its reset, and says how to raise it', async (t) => {
  const proxy = await startProxy(t);
  const t0 = freezeClockAtFetch(proxy);
  const resetAt = t0 + 3 * HOUR;
  proxy.fake.script(GEMINI, { kind: 'rate-limit', scope: 'per-day', resetAt });

  const reply = await ollamaChat(proxy, 'x');
  assert.equal(reply.status, 429);
  assert.deepEqual(modelsTried(proxy), [GEMINI], 'one attempt: no other free model can help');
  const resetText = `${new Date(resetAt).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
  assert.equal(reply.json().error,
    `OpenRouter's daily free-model request limit is used up (free-models-per-day); it resets at ${resetText}. ` +
      'To raise it from 50 to 1000 requests a day, buy at least 10 credits at https://openrouter.ai/credits; or set FREE_MODE=false to use paid models.');
  assert.equal(reply.headers.get('retry-after'), String(3 * 3600));
  assert.equal(proxy.store.get(GEMINI), undefined, 'not a per-model failure');
  assert.deepEqual(proxy.store.accountLimit('free-daily', t0)?.resetAt, resetAt);

  proxy.fake.reset();
  const again = await openaiChat(proxy, 'qwen3-coder:free');
  assert.equal(again.status, 429);
  assert.equal(again.json().error.type, 'rate_limit_error');
  assert.deepEqual(modelsTried(proxy), [], 'blocked before going upstream');

  const status = await getJson(proxy, '/status');
  assert.deepEqual(status.body.account_limits.map((limit: any) => [limit.scope, limit.resets_at]), [['free-daily', new Date(resetAt).toISOString()]]);
  assert.deepEqual(status.body.cooldowns, []);

  proxy.clock.wallMs = resetAt;
  const after = await ollamaChat(proxy, 'x');
  assert.deepEqual([after.status, after.model], [200, GEMINI]);
});

test('the high-balance daily cap does not suggest buying credits', async (t) => {
  const proxy = await startProxy(t);
  const t0 = freezeClockAtFetch(proxy);
  proxy.fake.script(GEMINI, { kind: 'rate-limit', scope: 'per-day-high-balance', resetAt: t0 + HOUR });
  const reply = await ollamaChat(proxy, 'x');
  assert.equal(reply.status, 429);
  assert.match(reply.json().error, /already the 1000-a-day tier/);
  assert.doesNotMatch(reply.json().error, /buy at least 10 credits/);
});

test('the per-minute free-model cap pauses free models until its reset, without cooling each one down', async (t) => {
  // A cap that lifts later than a request may wait is answered at once (waiting has its own tests).
  const proxy = await startProxy(t, { env: { MAX_WAIT_SECONDS: '10' } });
  const t0 = freezeClockAtFetch(proxy);
  proxy.fake.script(GEMINI, { kind: 'rate-limit', scope: 'per-min', resetAt: t0 + 40_000 });
  const reply = await ollamaChat(proxy, 'x');
  assert.equal(reply.status, 429);
  assert.match(reply.json().error, /free-models-per-min/);
  assert.equal(reply.headers.get('retry-after'), '40');
  assert.deepEqual(modelsTried(proxy), [GEMINI]);
  assert.deepEqual(proxy.store.activeCooldowns(t0), []);

  proxy.fake.reset();
  // Still further off than MAX_WAIT_SECONDS: refused at once, with nothing sent upstream.
  proxy.clock.wallMs = t0 + 29_999;
  assert.equal((await ollamaChat(proxy, 'x')).status, 429);
  assert.deepEqual(modelsTried(proxy), []);
  proxy.clock.wallMs = t0 + 40_000;
  assert.equal((await ollamaChat(proxy, 'x')).model, GEMINI);
});

test('an unreachable OpenRouter stops the walk and cools nothing down', async (t) => {
  // Chats go to a port nobody listens on; the catalog still comes from the fake.
  const closed = await startProxy(t);
  const deadUrl = closed.fake.url;
  await closed.fake.close();
  const proxy = await startProxy(t, {
    fetch: (input, init) => {
      const url = String(input);
      return fetch(url.includes('/chat/completions') ? `${deadUrl}/chat/completions` : url, init);
    },
  });
  const reply = await ollamaChat(proxy, 'x');
  assert.equal(reply.status, 502);
  assert.match(reply.json().error, /cannot reach OpenRouter at .*ECONNREFUSED/);
  assert.deepEqual(attemptLogs(proxy).map((entry) => [entry.model, entry.outcome]), [[GEMINI, 'unreachable']]);
  assert.deepEqual(proxy.store.activeCooldowns(Date.now()), [], 'the models are fine; the network is not');
});

test('X-Proxy-Model and X-Proxy-Attempts on every kind of answer', async (t) => {
  const proxy = await startProxy(t);
  proxy.fake.script(GEMINI, { kind: 'http', status: 500 });
  const calls = [
    () => ollamaChat(proxy, 'x'),
    () => ollamaChat(proxy, 'x', { stream: false }),
    async () => {
      const response = await post(proxy, '/api/generate', { model: 'x', prompt: 'hi' });
      return { model: response.headers.get('x-proxy-model'), attempts: response.headers.get('x-proxy-attempts') };
    },
    () => openaiChat(proxy, 'x'),
    () => openaiChat(proxy, 'x', { stream: true }),
  ];
  const seen = [];
  for (const call of calls) {
    const reply = await call();
    seen.push([reply.model, reply.attempts]);
  }
  // The first call met gemini's failure; the rest skip it while it cools down.
  assert.deepEqual(seen, [[QUASAR, '2'], [QUASAR, '1'], [QUASAR, '1'], [QUASAR, '1'], [QUASAR, '1']]);
});
