// Which models a requested name means: an alias's targets in order, else the name; each found exactly
// or as an Ollama-library name, among the visible models only.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildCatalog } from '../../src/catalog/catalog.ts';
import { indexLibraryNames } from '../../src/catalog/library-names.ts';
import { parseAliasFile } from '../../src/catalog/model-aliases.ts';
import { lookupModelName, toRequestedModels, type NameLookup } from '../../src/catalog/requested-models.ts';
import { defaultCatalog } from '../../src/fake-openrouter/server.ts';
import type { OpenRouterModel } from '../../src/openrouter/types.ts';

const catalog = buildCatalog(defaultCatalog() as OpenRouterModel[], 0, 'network');
const visible = catalog.models.filter((model) => model.free && model.id !== 'deepseek/deepseek-r1:free');
const { rules } = parseAliasFile([
  'claude-*haiku* = gemini-2.0-flash-exp:free',
  'claude-* = qwen3-coder:30b, deepseek-r1:free, gpt-oss:20b, qwen/qwen3-coder:free',
  'ghost = no-such-model',
].join('\n'));
const lookup: NameLookup = {
  rules,
  findVisible: (name) => visible.find((model) => model === catalog.find(name)),
  library: indexLibraryNames(visible),
};

test('requested names become the models to try first, in order', () => {
  const cases: [string, string[], boolean][] = [
    ['claude-haiku-4-5', ['google/gemini-2.0-flash-exp:free'], true],
    // deepseek-r1 is hidden (not visible), and a target naming the same model twice counts once.
    ['claude-opus-5-5', ['qwen/qwen3-coder:free', 'openai/gpt-oss-20b:free'], true],
    ['ghost', [], true],
    ['gpt-oss:20b', ['openai/gpt-oss-20b:free'], false],
    ['gemini-2.0-flash-exp:free', ['google/gemini-2.0-flash-exp:free'], false],
    ['deepseek-r1:free', [], false],
    ['something-else', [], false],
  ];
  for (const [name, ids, aliased] of cases) {
    const result = toRequestedModels(lookup, name);
    assert.deepEqual({ ids: result.models.map((model) => model.id), aliased: result.aliased }, { ids, aliased }, name);
  }
});

test('an exact name wins over an Ollama-library reading of it', () => {
  assert.equal(lookupModelName(lookup, 'qwen3-coder:free')?.id, 'qwen/qwen3-coder:free');
  assert.equal(lookupModelName(lookup, 'qwen3-coder:30b')?.id, 'qwen/qwen3-coder:free');
  assert.equal(lookupModelName(lookup, 'openai/gpt-4o'), undefined);
});
