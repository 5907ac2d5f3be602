import { normalizeModelName } from '../catalog/catalog.ts';
import type { CatalogModel } from '../catalog/model-info.ts';

export interface RecentModel {
  model: CatalogModel;
  /** The name /api/ps lists: the model's `/api/tags` name, or the client's own name with a tag. */
  name: string;
  expiresAt: number;
}

/** The "loaded models" that `/api/ps` shows: models used recently, each kept for its `keep_alive`. */
export interface RecentModels {
  /** Records that `name` was served by `model`; a `keepAliveMs` of 0 unloads it instead. */
  touch(name: string, model: CatalogModel, keepAliveMs: number): void;
  /** Forgets a model, named as the client named it, by its listed name or by its OpenRouter id. */
  unload(name: string): void;
  list(now: number): RecentModel[];
}

const DEFAULT_KEEP_ALIVE_MS = 5 * 60_000;
// A bound, so a client cycling through names cannot grow this map without limit.
const MAX_ENTRIES = 256;
// A negative keep_alive keeps a model loaded forever; /api/ps needs a date, so it shows year 9999.
const FOREVER = Date.UTC(9999, 0);

/**
 * The name `/api/ps` shows for a request. Open WebUI matches ps entries to `/api/tags` entries by
 * `model`, so a name that resolves to the serving model is listed under its tags name; any other
 * name (free mode serves every name) keeps the client's spelling, with the `:latest` tag Ollama adds.
 */
export function toPsName(requested: string, model: CatalogModel): string {
  const wanted = normalizeModelName(requested);
  if (wanted === normalizeModelName(model.name) || wanted === normalizeModelName(model.id)) return model.name;
  const trimmed = requested.trim();
  return trimmed.slice(trimmed.lastIndexOf('/') + 1).includes(':') ? trimmed : `${trimmed}:latest`;
}

/** Builds the in-memory recent-models list; `now` is the wall clock in ms. */
export function createRecentModels(now: () => number): RecentModels {
  const entries = new Map<string, RecentModel>();
  const unload = (name: string): void => {
    const wanted = normalizeModelName(name);
    for (const [key, entry] of entries) {
      const names = [entry.name, entry.model.name, entry.model.id].map(normalizeModelName);
      if (names.includes(wanted)) entries.delete(key);
    }
  };
  return {
    touch(name, model, keepAliveMs) {
      const key = model.id;
      entries.delete(key);
      if (keepAliveMs === 0) return unload(name);
      const expiresAt = keepAliveMs === Infinity ? FOREVER : now() + (Number.isFinite(keepAliveMs) ? keepAliveMs : DEFAULT_KEEP_ALIVE_MS);
      entries.set(key, { model, name: toPsName(name, model), expiresAt });
      if (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value as string);
    },
    unload,
    list(at) {
      for (const [key, entry] of entries) if (entry.expiresAt <= at) entries.delete(key);
      return [...entries.values()].sort((a, b) => b.expiresAt - a.expiresAt);
    },
  };
}

export { DEFAULT_KEEP_ALIVE_MS };
