// The routing policy without sockets: a stand-in catalog loader, a real store, and attempts that
// throw the errors the OpenRouter client would. Covers races and store write failures (its speed is
// measured by `npm run bench`).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test, type TestContext } from 'node:test';
import { buildCatalog, type Catalog } from '../../src/catalog/catalog.ts';
import type { CatalogLoader } from '../../src/catalog/catalog-loader.ts';
import { createModelFilter } from '../../src/catalog/model-filter.ts';
import type { CatalogModel } from '../../src/catalog/model-info.ts';
import { createModelRouter, type ModelRouter, type RoutePlan } from '../../src/routing/model-router.ts';
import { createOutcomeBus } from '../../src/routing/attempt-outcome.ts';
import { createCooldownListener } from '../../src/routing/cooldown-listener.ts';
import { inertResilience } from '../../src/routing/resilience.ts';
import { attemptLogListener } from '../../src/core/attempt-log.ts';
import { walkAttempts, type WalkDeps } from '../../src/core/attempt-walk.ts';
import { tolerateWriteErrors } from '../../src/store/tolerant-store.ts';
import { defaultCatalog, generateCatalog } from '../../src/fake-openrouter/server.ts';
import { HttpError, UpstreamError } from '../../src/errors.ts';
import { createLogger, silentLogger } from '../../src/logger.ts';
import { classifyUpstreamError, networkError } from '../../src/openrouter/upstream-error.ts';
import type { OpenRouterModel } from '../../src/openrouter/types.ts';
import { openFailureStore, StoreWriteError, type FailureStore } from '../../src/store/failure-store.ts';
import { FREE_CHAT_ORDER, FREE_EMBEDDER, FREE_ORDER, MINUTE, scratchDir } from '../helpers/free-mode-helpers.ts';

const T0 = Date.UTC(2030, 0, 1, 12);
const CHAT = { kind: 'chat', tools: false, vision: false } as const;
const [GEMINI, QUASAR, QWEN, DEEPSEEK] = FREE_ORDER;

interface Setup {
  router: ModelRouter;
  store: FailureStore;
  clock: { now: number };
  logs: string[];
  catalog: Catalog;
}

function loaderOf(catalog: Catalog): CatalogLoader {
  return { current: () => catalog, ready: async () => catalog, nextRefreshAt: () => catalog.fetchedAt + 24 * 3_600_000, refresh: async () => true, close: () => {} };
}

function setUp(t: TestContext, options: { store?: FailureStore; models?: OpenRouterModel[]; filterPath?: string } = {}): Setup {
  const clock = { now: T0 };
  const catalog = buildCatalog(options.models ?? (defaultCatalog() as OpenRouterModel[]), T0, 'network');
  const store = options.store ?? openFailureStore(':memory:', { now: () => clock.now }).store;
  if (options.store === undefined) t.after(() => store.close());
  const logs: string[] = [];
  const logger = createLogger('DEBUG', (line) => void logs.push(line));
  const now = () => clock.now;
  const router = createModelRouter({ catalog: loaderOf(catalog), filter: createModelFilter(options.filterPath ?? '/nonexistent/filter', silentLogger), store, freeMode: true, toolUseOnly: false, now, logger });
  // The core's walk, with the cooldown policy and the attempt log subscribed, as the app wires them.
  const bus = createOutcomeBus();
  bus.subscribe(createCooldownListener({ store: tolerateWriteErrors(store, logger), settings: { failureCooldownMs: 5 * MINUTE, rateLimitCooldownMs: MINUTE, now }, nextRefreshAt: () => loaderOf(catalog).nextRefreshAt() }));
  bus.subscribe(attemptLogListener(logger));
  walks.set(router, { store, resilience: inertResilience(now, logger), bus, now, monotonic: () => performance.now(), logger });
  return { router, store, clock, logs, catalog };
}

const walks = new WeakMap<ModelRouter, WalkDeps>();

const upstream = (status: number, message: string) => classifyUpstreamError(status, { message }, undefined, T0);
const serverError = () => upstream(500, 'Internal Server Error');
const signal = new AbortController().signal;

/** The core's walk over a router's plan, completing the answer at once as the core does for a whole answer. */
async function run<T>(router: ModelRouter, plan: RoutePlan, attempt: (model: CatalogModel) => Promise<T>, abort: AbortSignal) {
  const deps = walks.get(router) as WalkDeps;
  const request = deps.bus.request('x', 'ollama');
  const { value, model, attempts } = await walkAttempts(deps, request, plan, attempt, abort);
  deps.bus.emit({ kind: 'completed', request, model, attempt: attempts, ms: 0 });
  return { value, model, attempts };
}

/** An attempt function that fails for the listed models and answers with the model id otherwise; records the order. */
function scripted(failures: Record<string, () => Error>) {
  const tried: string[] = [];
  const attempt = async (model: CatalogModel) => {
    tried.push(model.id);
    const failure = failures[model.id];
    if (failure) throw failure();
    return model.id;
  };
  return { tried, attempt };
}

test('plan: requested model first, then the rest in priority order; cooldowns and incapable models skipped', (t) => {
  const { router, store } = setUp(t);
  store.recordFailure(QUASAR, 'general', T0, () => T0 + MINUTE);
  const plan = router.plan('deepseek-r1:free', CHAT);
  assert.deepEqual(plan.candidates.map((model) => model.id), [DEEPSEEK, ...FREE_CHAT_ORDER.filter((id) => id !== DEEPSEEK && id !== QUASAR)]);
  assert.equal(plan.fallback, true);
  const tools = router.plan('deepseek-r1:free', { kind: 'chat', tools: true, vision: false });
  assert.ok(!tools.candidates.some((model) => model.id === DEEPSEEK || model.id === 'other/chat-7b:free'));
  // Embeddings go only to the embedder, even when a chat model or a paid embedder is named.
  for (const name of ['deepseek-r1:free', 'text-embedding-3-small', 'x']) {
    const embedding = router.plan(name, { kind: 'embedding', tools: false, vision: false });
    assert.deepEqual(embedding.candidates.map((model) => model.id), [FREE_EMBEDDER], name);
  }
});

test('run: every failure kind, its cooldown and whether the walk goes on', async (t) => {
  const connectionRefused = () => networkError(new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }) }), 'http://x');
  const dnsFailure = () => networkError(new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND openrouter.ai'), { code: 'ENOTFOUND' }) }), 'http://x');
  const socketClosed = () => networkError(new TypeError('fetch failed', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) }), 'http://x');
  const timeout = () => networkError(new HttpError(504, 'the model sent no data within 60 s (FIRST_TOKEN_TIMEOUT_SECONDS)'), 'http://x');
  const cases: Array<{ name: string; error: () => Error; tried: string[]; cooldown?: [string, number]; stop?: number }> = [
    { name: '5xx', error: serverError, tried: [GEMINI, QUASAR], cooldown: ['general', 5 * MINUTE] },
    { name: 'a dropped connection', error: socketClosed, tried: [GEMINI, QUASAR], cooldown: ['general', 5 * MINUTE] },
    { name: 'a first-token timeout', error: timeout, tried: [GEMINI, QUASAR], cooldown: ['general', 5 * MINUTE] },
    { name: '429 from the provider', error: () => upstream(429, 'Provider returned error'), tried: [GEMINI, QUASAR], cooldown: ['rate-limit', MINUTE] },
    { name: '429 with a reset time', error: () => new UpstreamError(429, 'slow down', 'rate-limit', { retryAt: T0 + 7 * MINUTE }), tried: [GEMINI, QUASAR], cooldown: ['rate-limit', 7 * MINUTE] },
    { name: '429 with a reset time already past', error: () => new UpstreamError(429, 'slow down', 'rate-limit', { retryAt: T0 - 1 }), tried: [GEMINI, QUASAR], cooldown: ['rate-limit', MINUTE] },
    { name: 'gone', error: () => upstream(404, 'No endpoints found for x.'), tried: [GEMINI, QUASAR], cooldown: ['gone', 24 * 60 * MINUTE] },
    { name: 'unsupported', error: () => upstream(404, 'No endpoints found that support image input'), tried: [GEMINI, QUASAR] },
    { name: 'connection refused', error: connectionRefused, tried: [GEMINI], stop: 502 },
    { name: 'DNS failure', error: dnsFailure, tried: [GEMINI], stop: 502 },
    { name: '401', error: () => upstream(401, 'User not found.'), tried: [GEMINI], stop: 401 },
    { name: '402', error: () => upstream(402, 'Insufficient credits'), tried: [GEMINI], stop: 402 },
    { name: '403', error: () => upstream(403, 'Key limit exceeded'), tried: [GEMINI], stop: 403 },
    { name: '400', error: () => upstream(400, 'Invalid request parameters'), tried: [GEMINI], stop: 400 },
    { name: 'daily cap', error: () => upstream(429, 'Rate limit exceeded: free-models-per-day'), tried: [GEMINI], stop: 429 },
    { name: 'minute cap', error: () => upstream(429, 'Rate limit exceeded: free-models-per-min'), tried: [GEMINI], stop: 429 },
  ];
  for (const testCase of cases) {
    await t.test(testCase.name, async (t) => {
      const { router, store } = setUp(t);
      const { tried, attempt } = scripted({ [GEMINI]: testCase.error });
      const walked = run(router, router.plan('x', CHAT), attempt, signal);
      if (testCase.stop !== undefined) await assert.rejects(walked, (error: HttpError) => error.status === testCase.stop);
      else assert.deepEqual(await walked, { value: QUASAR, model: router.findVisible(QUASAR), attempts: 2 });
      assert.deepEqual(tried, testCase.tried);
      const failure = store.get(GEMINI);
      assert.deepEqual(failure && [failure.kind, failure.cooldownUntil - T0], testCase.cooldown);
    });
  }
});

test('the daily cap without a reset time lasts until the next UTC midnight', async (t) => {
  const { router, store } = setUp(t);
  const { attempt } = scripted({ [GEMINI]: () => upstream(429, 'Rate limit exceeded: free-models-per-day') });
  await assert.rejects(run(router, router.plan('x', CHAT), attempt, signal), /resets at 2030-01-02 00:00:00 UTC/);
  assert.equal(store.accountLimit('free-daily', T0)?.resetAt, Date.UTC(2030, 0, 2));
});

test('a model cooled down by a concurrent request after planning is skipped; a concurrent daily cap stops the walk', async (t) => {
  const { router, store, clock } = setUp(t);
  const plan = router.plan('x', CHAT);
  const { tried, attempt } = scripted({
    [GEMINI]: () => {
      store.recordFailure(QUASAR, 'general', clock.now, () => clock.now + MINUTE);
      return serverError();
    },
  });
  const result = await run(router, plan, attempt, signal);
  assert.deepEqual([tried, result.model.id, result.attempts], [[GEMINI, QWEN], QWEN, 2]);

  const capped = scripted({
    [QWEN]: () => {
      store.setAccountLimit({ scope: 'free-daily', resetAt: clock.now + 60 * MINUTE, message: 'free-models-per-day' });
      return serverError();
    },
  });
  await assert.rejects(run(router, router.plan('x', CHAT), capped.attempt, signal), (error: HttpError) => error.status === 429);
  assert.deepEqual(capped.tried, [QWEN]);
});

test('the final error prefers a real cause over "this model cannot do that"', async (t) => {
  const { router } = setUp(t);
  const failures = Object.fromEntries(FREE_CHAT_ORDER.map((id) => [id, () => upstream(404, 'No endpoints found that support tool use')]));
  failures[QUASAR] = () => upstream(503, 'Service temporarily unavailable');
  const { attempt } = scripted(failures);
  await assert.rejects(run(router, router.plan('x', CHAT), attempt, signal), {
    message: `all ${FREE_CHAT_ORDER.length} models tried failed; last error (${QUASAR}): Service temporarily unavailable`,
  });
});

test('store writes that fail are logged at WARN and never fail the request', async (t) => {
  const { store: real } = openFailureStore(':memory:', { now: () => T0 });
  t.after(() => real.close());
  const broken = (what: string) => () => {
    throw Object.assign(new Error(`${what}: database is locked`), { code: 'ERR_SQLITE_ERROR', errcode: 5 });
  };
  const store: FailureStore = { ...real, recordFailure: broken('recordFailure'), recordSuccess: broken('recordSuccess'), setAccountLimit: broken('setAccountLimit') };
  const { router, logs } = setUp(t, { store });

  const { attempt } = scripted({ [GEMINI]: serverError });
  const result = await run(router, router.plan('x', CHAT), attempt, signal);
  assert.equal(result.model.id, QUASAR);
  const daily = scripted({ [GEMINI]: () => upstream(429, 'Rate limit exceeded: free-models-per-day') });
  await assert.rejects(run(router, router.plan('x', CHAT), daily.attempt, signal), (error: HttpError) => error.status === 429);

  const warnings = logs.map((line) => JSON.parse(line)).filter((entry) => entry.level === 'WARN');
  assert.deepEqual(warnings.map((entry) => entry.operation), ['recordFailure', 'recordSuccess', 'setAccountLimit']);
  assert.ok(warnings.every((entry) => /database is locked/.test(entry.error.message)));
});

test('with a real SQLITE_BUSY, a failure and a daily cap still apply in this process', async (t) => {
  const path = join(scratchDir(t), 'failures.db');
  const { store } = openFailureStore(path, { now: () => T0, busyTimeoutMs: 10 });
  t.after(() => store.close());
  const { router, logs } = setUp(t, { store });
  const other = new DatabaseSync(path);
  t.after(() => other.close());
  other.exec('BEGIN IMMEDIATE');

  const { attempt } = scripted({ [GEMINI]: serverError, [QUASAR]: () => upstream(429, 'Rate limit exceeded: free-models-per-day') });
  await assert.rejects(run(router, router.plan('x', CHAT), attempt, signal), /free-models-per-day\); it resets at 2030-01-02 00:00:00 UTC/);
  assert.deepEqual(store.get(GEMINI)?.cooldownUntil, T0 + 5 * MINUTE);
  assert.equal(store.accountLimit('free-daily', T0)?.resetAt, Date.UTC(2030, 0, 2));
  await assert.rejects(async () => router.plan('x', CHAT), (error: HttpError) => error.status === 429, 'the cap holds for the next request');
  const warnings = logs.map((line) => JSON.parse(line)).filter((entry) => entry.level === 'WARN');
  assert.deepEqual(warnings.map((entry) => entry.operation), ['recordFailure', 'setAccountLimit']);
  other.exec('ROLLBACK');
});

test('the store applies a write in memory before the database refuses it, and says so with StoreWriteError', (t) => {
  const path = join(scratchDir(t), 'failures.db');
  const { store } = openFailureStore(path, { now: () => T0, busyTimeoutMs: 10 });
  t.after(() => store.close());
  store.recordFailure(GEMINI, 'general', T0, () => T0 + MINUTE);
  const other = new DatabaseSync(path);
  t.after(() => other.close());
  other.exec('BEGIN IMMEDIATE');

  assert.throws(() => store.recordFailure(GEMINI, 'rate-limit', T0 + 1, (count) => T0 + count * MINUTE), (error: Error) => error instanceof StoreWriteError && /database is locked/.test(error.message));
  assert.deepEqual(store.get(GEMINI), { model: GEMINI, kind: 'rate-limit', count: 2, lastFailureAt: T0 + 1, cooldownUntil: T0 + 2 * MINUTE });
  assert.throws(() => store.setAccountLimit({ scope: 'free-minute', resetAt: T0 + MINUTE, message: 'm' }), StoreWriteError);
  assert.equal(store.accountLimit('free-minute', T0)?.resetAt, T0 + MINUTE);
  assert.throws(() => store.recordSuccess(GEMINI), StoreWriteError);
  assert.equal(store.get(GEMINI), undefined);

  other.exec('ROLLBACK');
  assert.deepEqual(other.prepare('SELECT model, count FROM model_failures').all().map((row) => ({ ...row })), [{ model: GEMINI, count: 1 }], 'the file kept its last saved state');
  // A bug in the policy is not a database problem: it surfaces as it is and nothing is kept.
  assert.throws(() => store.recordFailure(QUASAR, 'general', T0, () => { throw new RangeError('policy bug'); }), RangeError);
  assert.equal(store.get(QUASAR), undefined);
});
