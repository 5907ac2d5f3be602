import type { CatalogModel } from '../catalog/model-info.ts';

export interface RecentModel {
  model: CatalogModel;
  /** The name the client used, listed by /api/ps. */
  name: string;
  expiresAt: number;
}

/** The "loaded models" that `/api/ps` shows: models used recently, each kept for its `keep_alive`. */
export interface RecentModels {
  touch(name: string, model: CatalogModel, keepAliveMs: number): void;
  unload(name: string): void;
  list(now: number): RecentModel[];
}

const DEFAULT_KEEP_ALIVE_MS = 5 * 60_000;
// A bound, so a client cycling through names cannot grow this map without limit.
const MAX_ENTRIES = 256;

/** Builds the in-memory recent-models list; `now` is the wall clock in ms. */
export function createRecentModels(now: () => number): RecentModels {
  const entries = new Map<string, RecentModel>();
  return {
    touch(name, model, keepAliveMs) {
      const key = model.id;
      entries.delete(key);
      const expiresAt = keepAliveMs === Infinity ? Date.UTC(9999, 0) : now() + (Number.isFinite(keepAliveMs) ? keepAliveMs : DEFAULT_KEEP_ALIVE_MS);
      if (keepAliveMs === 0) return;
      entries.set(key, { model, name, expiresAt });
      if (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value as string);
    },
    unload(name) {
      for (const [key, entry] of entries) if (entry.name === name || entry.model.id === name) entries.delete(key);
    },
    list(at) {
      for (const [key, entry] of entries) if (entry.expiresAt <= at) entries.delete(key);
      return [...entries.values()].sort((a, b) => b.expiresAt - a.expiresAt);
    },
  };
}

export { DEFAULT_KEEP_ALIVE_MS };
