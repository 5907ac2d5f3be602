// Routing cost in isolation: plan() over a 400-model catalog with 150 models cooling down, in free mode.
import { buildCatalog } from '../src/catalog/catalog.ts';
import type { CatalogLoader } from '../src/catalog/catalog-loader.ts';
import { createModelFilter } from '../src/catalog/model-filter.ts';
import { createModelRouter } from '../src/routing/model-router.ts';
import { generateCatalog } from '../src/fake-openrouter/server.ts';
import { silentLogger } from '../src/logger.ts';
import { openFailureStore } from '../src/store/failure-store.ts';
import { median } from './load.ts';

/** Microseconds per routing decision, median of `runs` runs of `iterations` decisions. */
export function measureRouting(models: number, cooling: number, iterations: number, runs: number, filterPath: string) {
  const now = Date.now();
  const catalog = buildCatalog(generateCatalog(models, 42), now, 'network');
  const loader: CatalogLoader = { current: () => catalog, ready: async () => catalog, nextRefreshAt: () => now + 3_600_000, refresh: async () => true, close: () => {} };
  const { store } = openFailureStore(':memory:');
  const free = catalog.models.filter((model) => model.free);
  const coolingModels = catalog.models.slice(0, cooling);
  for (const model of coolingModels) store.recordFailure(model.id, 'general', now, () => now + 3_600_000);
  const router = createModelRouter({
    catalog: loader, filter: createModelFilter(filterPath, silentLogger), store, freeMode: true, toolUseOnly: false,
    now: Date.now, logger: silentLogger,
  });
  const needs = { kind: 'chat', tools: true, vision: false } as const;
  const perRun: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    for (let i = 0; i < iterations; i++) router.plan(i % 2 === 0 ? 'some-model' : (free[i % free.length]?.name ?? 'x'), needs);
    perRun.push(((performance.now() - started) / iterations) * 1000);
  }
  store.close();
  return { models, freeModels: free.length, coolingDown: cooling, iterations, microsecondsPerRequest: median(perRun) };
}
