/*
 * Which models a requested name means: the alias's targets in order, or the name itself; each found
 * by exact name first and as an Ollama-library name next. Pure, so the router stays about routing.
 */
import { resolveAlias, type AliasRule } from './model-aliases.ts';
import type { LibraryIndex } from './library-names.ts';
import type { CatalogModel } from './model-info.ts';

export interface NameLookup {
  rules: readonly AliasRule[];
  /** Exact lookup among the visible models (listed name, short name or full id). */
  findVisible(name: string): CatalogModel | undefined;
  /** Ollama-library names over the visible models. */
  library: LibraryIndex;
}

/** Finds one model name among the visible models: exactly, or as an Ollama-library name. */
export function lookupModelName(lookup: NameLookup, name: string): CatalogModel | undefined {
  return lookup.findVisible(name) ?? lookup.library.resolve(name);
}

/**
 * The models a request names, in the order to try them, without repeats. An alias's targets that no
 * visible model matches are skipped; an unaliased name gives at most one model.
 */
export function toRequestedModels(lookup: NameLookup, requested: string): { models: CatalogModel[]; aliased: boolean } {
  const targets = resolveAlias(lookup.rules, requested);
  const names = targets ?? [requested];
  const models: CatalogModel[] = [];
  for (const name of names) {
    const model = lookupModelName(lookup, name);
    if (model !== undefined && !models.includes(model)) models.push(model);
  }
  return { models, aliased: targets !== undefined };
}
