/*
 * Ollama-library names (`gpt-oss:20b`, `qwen3-coder:30b`, `llama3.2:3b`) → OpenRouter models.
 *
 * Agent tools ask for the names they know from ollama.com/library: Codex's `--oss` default is
 * `gpt-oss:20b`. Those names are a family and a tag, where OpenRouter writes a vendor, a family with
 * dashes and the size inside the id (`openai/gpt-oss-20b:free`, `meta-llama/llama-3.2-3b-instruct`).
 * Both sides are cut into the same tokens, so no hard-coded table is needed: a model matches when its
 * family (its name up to the size) is the library name's family; the tag's size then picks among them.
 */
import type { CatalogModel } from './model-info.ts';

/** Tags that say nothing about which model is meant. */
const PLAIN_TAGS = new Set(['latest', 'free', '']);

/**
 * Cuts a name into lower-case tokens: on `-`, `_`, `/` and spaces, and between a word and the version
 * glued to it (`llama3.2` → `llama`, `3.2`; `qwen3` → `qwen`, `3`), so both spellings line up.
 * Sizes (`20b`) and mixed tokens (`a3b`) stay whole.
 */
export function toNameTokens(name: string): string[] {
  return name
    .toLowerCase()
    .split(/[-_/\s]+/)
    .flatMap((token) => {
      const glued = /^([a-z]+)(\d+(?:\.\d+)*)$/.exec(token);
      return glued?.[1] !== undefined && glued[2] !== undefined ? [glued[1], glued[2]] : [token];
    })
    .filter((token) => token !== '');
}

/** Splits `family:tag` the way Ollama does; a name without a tag has none. */
export function parseLibraryName(name: string): { family: string[]; tag: string[] } | undefined {
  const [family = '', tag = '', ...rest] = name.trim().toLowerCase().split(':');
  // A vendor-qualified name (`openai/gpt-oss-20b`) is already an OpenRouter id, not a library name.
  if (rest.length > 0 || family === '' || family.includes('/')) return undefined;
  return { family: toNameTokens(family), tag: PLAIN_TAGS.has(tag) ? [] : toNameTokens(tag) };
}

// The model's own name without vendor and variant: `openai/gpt-oss-20b:free` → gpt, oss, 20b.
function modelTokens(model: CatalogModel): string[] {
  const slug = model.id.split('/').pop() ?? model.id;
  return toNameTokens(slug.split(':')[0] ?? slug);
}

// Sizes: `20b`, `1.5b`, `270m`, MoE `a3b`, `8x7b`.
const SIZE = /^(\d+(\.\d+)?[bmk]|a\d+(\.\d+)?b|\d+x\d+(\.\d+)?b)$/;
// Words after a family that Ollama's names leave out: `-instruct`, `-it`, dates like `-0528`.
const SUFFIX = /^(instruct|it|chat|base|preview|exp|latest|\d{4,})$/;

/**
 * A model's family: its tokens before the first size, without trailing variant words
 * (`llama-3.2-3b-instruct` → llama, 3.2; `deepseek-r1-0528` → deepseek, r, 1). A library name must
 * spell the whole family, so `gpt` does not mean `gpt-oss`.
 */
export function familyTokens(tokens: readonly string[]): string[] {
  const size = tokens.findIndex((token) => SIZE.test(token));
  const family = tokens.slice(0, size < 0 ? tokens.length : size);
  while (family.length > 1 && SUFFIX.test(family.at(-1) ?? '')) family.pop();
  return family;
}


export interface LibraryIndex {
  /**
   * Finds the model an Ollama-library name means: its family is the name's family; models holding
   * every tag token (the size) come first, then free ones, then the closest (fewest extra tokens),
   * then the catalog's priority order. A size OpenRouter lacks still gets the family, as `ollama run`
   * users expect a model more than an error. Undefined when no model is of the family.
   */
  resolve(name: string): CatalogModel | undefined;
}

interface Entry {
  model: CatalogModel;
  /** The tokens after the family: sizes and variants. */
  rest: string[];
}

/** Indexes `models` (in priority order) by family once, so that each lookup is a map access. */
export function indexLibraryNames(models: readonly CatalogModel[]): LibraryIndex {
  const byFamily = new Map<string, Entry[]>();
  for (const model of models) {
    if (model.capabilities.embedding && !model.capabilities.completion) continue;
    const tokens = modelTokens(model);
    const family = familyTokens(tokens);
    const key = family.join(' ');
    const entries = byFamily.get(key) ?? [];
    entries.push({ model, rest: tokens.slice(family.length) });
    byFamily.set(key, entries);
  }
  return {
    resolve(name) {
      const parsed = parseLibraryName(name);
      const entries = parsed === undefined ? undefined : byFamily.get(parsed.family.join(' '));
      if (parsed === undefined || entries === undefined) return undefined;
      let best: { model: CatalogModel; score: number[] } | undefined;
      for (const { model, rest } of entries) {
        const sized = parsed.tag.every((token) => rest.includes(token)) ? 0 : 1;
        // Lower is better, compared in order; ties keep the catalog's priority order.
        const score = [sized, model.free ? 0 : 1, rest.length - parsed.tag.length];
        if (best === undefined || isBetter(score, best.score)) best = { model, score };
      }
      return best?.model;
    },
  };
}

/** One-off lookup over `models`; see LibraryIndex.resolve. */
export function resolveLibraryName(name: string, models: readonly CatalogModel[]): CatalogModel | undefined {
  return indexLibraryNames(models).resolve(name);
}

function isBetter(score: readonly number[], than: readonly number[]): boolean {
  for (let i = 0; i < score.length; i++) {
    const a = score[i] ?? 0;
    const b = than[i] ?? 0;
    if (a !== b) return a < b;
  }
  return false;
}
