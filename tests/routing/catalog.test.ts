// The catalog: which models are free and in what order, the filter file syntax, and the cache file
// (TTL, stale start, no network at all, background refresh) against the offline OpenRouter.
import assert from 'node:assert/strict';
import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildCatalog } from '../../src/catalog/catalog.ts';
import { matchesPatterns, parseFilterFile } from '../../src/catalog/model-filter.ts';
import { byPriority, contextLengthOf, isFreeModel, toCatalogModels } from '../../src/catalog/model-info.ts';
import { buildModel } from '../../src/fake-openrouter/model-builder.ts';
import { defaultCatalog, startFakeOpenRouter } from '../../src/fake-openrouter/server.ts';
import type { OpenRouterModel } from '../../src/openrouter/types.ts';
import { FREE_NAMES, FREE_ORDER, getJson, HOUR, ollamaChat, scratchDir, waitFor } from '../helpers/free-mode-helpers.ts';
import { startProxy, type Proxy } from '../helpers/harness.ts';

test('isFreeModel: a :free id, or both prices "0"; routers ("-1") and half-free models are not', () => {
  const cases: Array<[string, OpenRouterModel, boolean]> = [
    ['":free" suffix', { id: 'a/b:free', pricing: { prompt: '0.1', completion: '0.1' } }, true],
    ['both prices "0"', { id: 'openrouter/quasar-alpha', pricing: { prompt: '0', completion: '0' } }, true],
    ['router prices "-1"', { id: 'openrouter/auto', pricing: { prompt: '-1', completion: '-1' } }, false],
    ['only the completion is "0"', { id: 'openai/text-embedding-3-small', pricing: { prompt: '0.00000002', completion: '0' } }, false],
    ['no pricing at all', { id: 'x/y' }, false],
    ['":free" inside the name is not a suffix', { id: 'x/free:free-ish', pricing: { prompt: '1', completion: '1' } }, false],
  ];
  for (const [name, model, free] of cases) assert.equal(isFreeModel(model), free, name);
});

test('contextLengthOf prefers the top provider, then the model card', () => {
  assert.equal(contextLengthOf({ id: 'a', context_length: 131072, top_provider: { context_length: 65536 } }), 65536);
  assert.equal(contextLengthOf({ id: 'a', context_length: 131072, top_provider: { context_length: null } }), 131072);
  assert.equal(contextLengthOf({ id: 'a', context_length: 4096 }), 4096);
  assert.equal(contextLengthOf({ id: 'a' }), 0);
});

test('free models come first, largest context first; ties keep OpenRouter order; paid models keep theirs', () => {
  const spec = (id: string, context: number, price: string) =>
    buildModel({ id, name: id, created: 0, description: '', context, prompt: price, completion: price, tokenizer: 'Other' });
  const models = [spec('p/paid-1', 999_999, '1'), spec('f/tie-a:free', 8192, '0'), spec('f/big:free', 32768, '0'), spec('p/paid-2', 1, '1'), spec('f/tie-b:free', 8192, '0')];
  assert.deepEqual(byPriority(toCatalogModels(models as OpenRouterModel[])).map((model) => model.id), ['f/big:free', 'f/tie-a:free', 'f/tie-b:free', 'p/paid-1', 'p/paid-2']);
  const catalog = buildCatalog(defaultCatalog() as OpenRouterModel[], 0, 'network');
  assert.deepEqual(catalog.models.filter((model) => model.free).map((model) => model.id), [...FREE_ORDER]);
});

test('parseFilterFile: one pattern per line, comments and blank lines ignored, case folded', () => {
  const cases: Array<[string, string[]]> = [
    ['', []],
    ['gemini\n', ['gemini']],
    ['# header\n\n  Gemini  \r\nqwen3 # trailing comment\n#llama\n', ['gemini', 'qwen3']],
    ['   \n\t\n', []],
  ];
  for (const [text, patterns] of cases) assert.deepEqual(parseFilterFile(text), patterns, JSON.stringify(text));
});

test('matchesPatterns: substring of the listed name, the full id or the display name', () => {
  const [gemini] = toCatalogModels(defaultCatalog().filter((model) => model.id === 'google/gemini-2.0-flash-exp:free') as OpenRouterModel[]);
  assert.ok(gemini);
  const cases: Array<[string[], boolean]> = [
    [[], true],
    [['gemini'], true],
    [['google/'], true],
    [['gemini-2.0-flash-exp:free'], true],
    [['flash experimental'], true],
    [['llama', 'gemini'], true],
    [['llama'], false],
    [['gemini-3'], false],
  ];
  for (const [patterns, expected] of cases) assert.equal(matchesPatterns(patterns, gemini), expected, patterns.join(','));
});

function modelsRequests(proxy: Proxy): number {
  return proxy.fake.requests.filter((request) => request.path.startsWith('/api/v1/models')).length;
}

function logEntries(proxy: Proxy): Array<Record<string, any>> {
  return proxy.logs.map((line) => JSON.parse(line));
}

test('the cache is written in the original format (free ids by priority) plus metadata, and a restart within the TTL uses it without the network', async (t) => {
  const first = await startProxy(t);
  const cachePath = join(first.dir, 'free-models');
  assert.equal(readFileSync(cachePath, 'utf8'), `${FREE_ORDER.join('\n')}\n`);
  const metadata = JSON.parse(readFileSync(`${cachePath}.json`, 'utf8'));
  assert.equal(metadata.fetchedAt, first.app.catalog.current()?.fetchedAt);
  assert.equal(metadata.models.length, defaultCatalog().length);

  // A second proxy on the same cache and another fake: it must not ask for /models at all.
  const second = await startProxy(t, { dir: first.dir });
  assert.equal(second.app.catalog.current()?.source, 'cache', 'ready at once, from the cache');
  const tags = await getJson(second, '/api/tags');
  assert.deepEqual(tags.body.models.map((model: { name: string }) => model.name), [...FREE_NAMES]);
  const reply = await ollamaChat(second, 'x');
  assert.deepEqual([reply.status, reply.model], [200, FREE_ORDER[0]]);
  assert.equal(modelsRequests(second), 0);
  assert.ok(logEntries(second).some((entry) => entry.msg === 'catalog loaded from cache'));
  const status = await getJson(second, '/status');
  assert.equal(status.body.catalog.source, 'cache');
});

test('a cache in the original proxy\'s format alone (ids only) is used too', async (t) => {
  const fake = await startFakeOpenRouter();
  t.after(() => fake.close());
  fake.setOffline(true);
  const dir = scratchDir(t, 'catalog-ids-');
  writeFileSync(join(dir, 'free-models'), 'qwen/qwen3-coder:free\nmeta-llama/llama-3.3-70b-instruct:free\n');
  const proxy = await startProxy(t, { useFake: fake, dir });
  const tags = await getJson(proxy, '/api/tags');
  assert.deepEqual(tags.body.models.map((model: { name: string }) => model.name), ['qwen3-coder:free', 'llama-3.3-70b-instruct:free']);
  fake.setOffline(false);
  assert.equal((await ollamaChat(proxy, 'x')).model, 'qwen/qwen3-coder:free');
});

test('a stale cache is used at startup (and the log says so) while the catalog refreshes in the background', async (t) => {
  const fake = await startFakeOpenRouter();
  t.after(() => fake.close());
  const dir = scratchDir(t, 'catalog-stale-');
  const fetchedAt = Date.now() - 25 * HOUR;
  const oldModels = defaultCatalog().filter((model) => model.id !== 'qwen/qwen3-coder:free');
  writeFileSync(join(dir, 'free-models.json'), JSON.stringify({ fetchedAt, models: oldModels }));
  fake.setOffline(true);

  const proxy = await startProxy(t, { useFake: fake, dir });
  assert.equal(proxy.app.catalog.current()?.source, 'cache');
  const stale = logEntries(proxy).find((entry) => entry.msg.startsWith('catalog cache is stale'));
  assert.equal(stale?.level, 'WARN');
  assert.equal(stale?.ageMinutes, 25 * 60);
  let status = await getJson(proxy, '/status');
  assert.equal(status.body.catalog.source, 'cache');
  assert.ok(status.body.catalog.age_seconds >= 25 * 3600);
  assert.equal(status.body.catalog.visible, FREE_ORDER.length - 1);

  // The first refresh fails (offline); once the network is back and the retry is due, it succeeds.
  await waitFor(() => proxy.app.catalog.lastError?.() !== undefined, 'the failed refresh');
  status = await getJson(proxy, '/status');
  assert.match(status.body.catalog.last_error, /cannot reach OpenRouter/);
  fake.setOffline(false);
  proxy.clock.wallMs = Date.now() + 10 * 60_000;
  await getJson(proxy, '/api/tags');
  await waitFor(() => proxy.app.catalog.current()?.source === 'network', 'the background refresh');
  const tags = await getJson(proxy, '/api/tags');
  assert.deepEqual(tags.body.models.map((model: { name: string }) => model.name), [...FREE_NAMES]);
  assert.equal((await getJson(proxy, '/status')).body.catalog.last_error, undefined);
});

test('with no cache and no network the proxy starts anyway, answers a clear 503, and recovers without a restart', async (t) => {
  const fake = await startFakeOpenRouter();
  t.after(() => fake.close());
  fake.setOffline(true);
  const proxy = await startProxy(t, { useFake: fake, waitForCatalog: false });
  await waitFor(() => proxy.app.catalog.lastError?.() !== undefined, 'the failed first fetch');

  for (const call of [() => proxy.fetch('/api/tags'), () => proxy.fetch('/api/chat', { method: 'POST', body: JSON.stringify({ model: 'x', messages: [{ role: 'user', content: 'hi' }] }) })]) {
    const response = await call();
    assert.equal(response.status, 503);
    assert.equal(response.headers.get('retry-after'), '5');
    assert.match(((await response.json()) as { error: string }).error, /the model catalog is not loaded yet: OpenRouter has not been reached/);
  }
  const v1 = await getJson(proxy, '/v1/models');
  assert.equal(v1.status, 503);
  assert.match(v1.body.error.message, /^the model catalog is not loaded yet/);
  const status = await getJson(proxy, '/status');
  assert.equal(status.status, 200);
  assert.deepEqual({ ...status.body.catalog, last_error: undefined }, { loaded: false, models: 0, visible: 0, last_error: undefined });
  assert.match(status.body.catalog.last_error, /cannot reach OpenRouter/);

  fake.setOffline(false);
  proxy.clock.wallMs = Date.now() + 60_000;
  await proxy.fetch('/api/tags').then((response) => response.body?.cancel());
  await waitFor(() => proxy.app.catalog.current() !== undefined, 'the retry');
  assert.equal((await ollamaChat(proxy, 'x')).status, 200);
  assert.equal(readFileSync(join(proxy.dir, 'free-models'), 'utf8'), `${FREE_ORDER.join('\n')}\n`, 'the cache is written once it can be');
});

test('the catalog refreshes in the background when the TTL expires, with no restart', async (t) => {
  const proxy = await startProxy(t);
  const fetchedAt = proxy.app.catalog.current()?.fetchedAt ?? 0;
  const newcomer = buildModel({ id: 'new/huge-model:free', name: 'New: Huge (free)', created: 1, description: '', context: 4_000_000, prompt: '0', completion: '0', tokenizer: 'Other', tools: true });
  proxy.fake.setModels([...defaultCatalog(), newcomer]);

  proxy.clock.wallMs = fetchedAt + 24 * HOUR - 1;
  await getJson(proxy, '/api/tags');
  assert.equal(modelsRequests(proxy), 1, 'not yet due');

  proxy.clock.wallMs = fetchedAt + 24 * HOUR;
  const during = await getJson(proxy, '/api/tags');
  assert.equal(during.body.models[0].name, FREE_NAMES[0], 'the old catalog serves while the new one loads');
  await waitFor(() => proxy.app.catalog.current()?.fetchedAt === fetchedAt + 24 * HOUR, 'the refresh');
  const after = await getJson(proxy, '/api/tags');
  assert.deepEqual(after.body.models.map((model: { name: string }) => model.name), ['huge-model:free', ...FREE_NAMES]);
  assert.equal(modelsRequests(proxy), 2);
  assert.equal(readFileSync(join(proxy.dir, 'free-models'), 'utf8').split('\n')[0], 'new/huge-model:free', 'the cache follows');
});

test('CACHE_TTL_HOURS=0 fetches at every start but does not refresh in a loop', async (t) => {
  const first = await startProxy(t, { env: { CACHE_TTL_HOURS: '0' } });
  const second = await startProxy(t, { dir: first.dir, env: { CACHE_TTL_HOURS: '0' } });
  await second.app.catalog.ready();
  await waitFor(() => second.app.catalog.current()?.source === 'network', 'the startup fetch despite a fresh cache');
  // No loop: the next refresh is scheduled at least the minimum interval away, not now.
  assert.ok(second.app.catalog.nextRefreshAt() - Date.now() > 30_000, 'the next refresh is not due yet');
  assert.equal(modelsRequests(first), 1);
  assert.equal(modelsRequests(second), 1);
});

test('an empty model list from OpenRouter keeps the catalog in force', async (t) => {
  const proxy = await startProxy(t);
  const before = proxy.app.catalog.current();
  proxy.fake.setModels([]);
  assert.equal(await proxy.app.catalog.refresh(), false);
  assert.equal(proxy.app.catalog.current(), before);
  assert.match(proxy.app.catalog.lastError?.() ?? '', /empty list/);
});

test('a cache file older than the TTL by its modification time (ids-only format) counts as stale', async (t) => {
  const fake = await startFakeOpenRouter();
  t.after(() => fake.close());
  const dir = scratchDir(t, 'catalog-ids-stale-');
  const path = join(dir, 'free-models');
  writeFileSync(path, 'qwen/qwen3-coder:free\n');
  const old = new Date(Date.now() - 30 * HOUR);
  utimesSync(path, old, old);
  const proxy = await startProxy(t, { useFake: fake, dir, waitForCatalog: false });
  assert.ok(logEntries(proxy).some((entry) => entry.msg.startsWith('catalog cache is stale') && entry.ageMinutes === 30 * 60));
  await waitFor(() => proxy.app.catalog.current()?.source === 'network', 'the refresh');
});
