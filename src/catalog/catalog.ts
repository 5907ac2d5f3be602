import type { OpenRouterModel } from '../openrouter/types.ts';
import { byPriority, shortName, toCatalogModels, type CatalogModel } from './model-info.ts';

export type CatalogSource = 'network' | 'cache';

/** An immutable snapshot of OpenRouter's models, in priority order, with name lookup. */
export interface Catalog {
  models: readonly CatalogModel[];
  fetchedAt: number;
  source: CatalogSource;
  /** Finds a model by listed name, short name or full id, with or without `:latest`, ignoring case. */
  find(name: string): CatalogModel | undefined;
}

/** Lower-cases a requested name and drops a `:latest` tag, which every model implicitly has. */
export function normalizeModelName(name: string): string {
  const lower = name.trim().toLowerCase();
  return lower.endsWith(':latest') ? lower.slice(0, -':latest'.length) : lower;
}

/** Builds a catalog snapshot from OpenRouter's `/models` entries. */
export function buildCatalog(raw: readonly OpenRouterModel[], fetchedAt: number, source: CatalogSource): Catalog {
  const models = byPriority(toCatalogModels(raw));
  const index = new Map<string, CatalogModel>();
  // Exact names first, so that a short name never shadows another model's full id.
  for (const model of models) {
    index.set(normalizeModelName(model.id), model);
    index.set(normalizeModelName(model.name), model);
  }
  // On a collision the short name resolves to the model with the higher priority.
  for (const model of models) {
    const key = normalizeModelName(shortName(model.id));
    if (!index.has(key)) index.set(key, model);
  }
  return { models, fetchedAt, source, find: (name) => index.get(normalizeModelName(name)) };
}
