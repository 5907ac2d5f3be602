// Ollama-library names (`gpt-oss:20b`) → OpenRouter models, by tokens rather than a fixed table.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { familyTokens, parseLibraryName, resolveLibraryName, toNameTokens } from '../../src/catalog/library-names.ts';
import { toCatalogModels, type CatalogModel } from '../../src/catalog/model-info.ts';
import { buildModel } from '../../src/fake-openrouter/model-builder.ts';
import { defaultCatalog } from '../../src/fake-openrouter/server.ts';
import type { OpenRouterModel } from '../../src/openrouter/types.ts';

test('names are cut into the same tokens on both sides', () => {
  const cases: [string, string[]][] = [
    ['gpt-oss', ['gpt', 'oss']],
    ['gpt-oss-20b', ['gpt', 'oss', '20b']],
    ['llama3.2', ['llama', '3.2']],
    ['llama-3.2-3b-instruct', ['llama', '3.2', '3b', 'instruct']],
    ['qwen3-coder-30b-a3b-instruct', ['qwen', '3', 'coder', '30b', 'a3b', 'instruct']],
    ['deepseek-r1', ['deepseek', 'r', '1']],
    ['Gemma3', ['gemma', '3']],
  ];
  for (const [name, tokens] of cases) assert.deepEqual(toNameTokens(name), tokens, name);
});

test('library names parse into family and tag; ids and bare tags do not carry a size', () => {
  assert.deepEqual(parseLibraryName('gpt-oss:20b'), { family: ['gpt', 'oss'], tag: ['20b'] });
  assert.deepEqual(parseLibraryName('qwen3-coder:latest'), { family: ['qwen', '3', 'coder'], tag: [] });
  assert.deepEqual(parseLibraryName('llama3.2'), { family: ['llama', '3.2'], tag: [] });
  assert.equal(parseLibraryName('openai/gpt-oss-20b:free'), undefined);
  assert.equal(parseLibraryName(''), undefined);
  assert.equal(parseLibraryName('a:b:c'), undefined);
});

// Paid unless a price is given; the same base facts for every extra model.
function model(id: string, price = '0.0000001', outputs?: string[]): OpenRouterModel {
  return buildModel({ id, name: id, created: 1750000000, description: '', context: 131072, prompt: price, completion: price, tokenizer: 'Other', tools: true, ...(outputs ? { outputs } : {}) }) as OpenRouterModel;
}
const extra: OpenRouterModel[] = [
  model('qwen/qwen3-coder-30b-a3b-instruct'),
  model('openai/gpt-oss-20b'),
  model('openai/gpt-oss-120b:free', '0'),
  model('meta-llama/llama-3.2-3b-instruct:free', '0'),
  model('meta-llama/llama-3.2-1b-instruct'),
  model('google/gemma-3-27b-it:free', '0'),
];
const all: CatalogModel[] = toCatalogModels([...(defaultCatalog() as OpenRouterModel[]), ...extra]);
const free = all.filter((model) => model.free);

test('library names resolve to the matching OpenRouter model', () => {
  const cases: [string, readonly CatalogModel[], string | undefined][] = [
    // Codex's `--oss` default: the free variant wins over the paid one of the same size.
    ['gpt-oss:20b', all, 'openai/gpt-oss-20b:free'],
    ['gpt-oss:20b', free, 'openai/gpt-oss-20b:free'],
    ['gpt-oss:120b', all, 'openai/gpt-oss-120b:free'],
    ['GPT-OSS:20B', all, 'openai/gpt-oss-20b:free'],
    // The size decides before freeness: 30b exists only as a paid model...
    ['qwen3-coder:30b', all, 'qwen/qwen3-coder-30b-a3b-instruct'],
    // ...and where only free models are visible, the family still answers.
    ['qwen3-coder:30b', free, 'qwen/qwen3-coder:free'],
    ['qwen3-coder', all, 'qwen/qwen3-coder:free'],
    ['qwen3-coder:latest', all, 'qwen/qwen3-coder:free'],
    ['llama3.2:3b', all, 'meta-llama/llama-3.2-3b-instruct:free'],
    ['llama3.2:1b', all, 'meta-llama/llama-3.2-1b-instruct'],
    ['llama3.3', all, 'meta-llama/llama-3.3-70b-instruct:free'],
    ['gemma3:27b', all, 'google/gemma-3-27b-it:free'],
    ['deepseek-r1:8b', all, 'deepseek/deepseek-r1:free'],
    // No model of that family, and names that are not library names.
    ['phi4:14b', all, undefined],
    ['gpt', all, undefined],
    ['openai/gpt-oss-20b', all, undefined],
    ['gpt-oss:20b', [], undefined],
  ];
  for (const [name, models, id] of cases) assert.equal(resolveLibraryName(name, models)?.id, id, `${name} among ${models.length}`);
});

test('embedding-only models are never what a library chat name means', () => {
  const models = toCatalogModels([model('acme/nomic-embed-text:free', '0', ['embeddings'])]);
  assert.equal(resolveLibraryName('nomic-embed-text:latest', models), undefined);
});

test("a model's family is its name up to the size, without variant words", () => {
  const cases: [string, string[]][] = [
    ['gpt-oss-20b', ['gpt', 'oss']],
    ['llama-3.2-3b-instruct', ['llama', '3.2']],
    ['qwen3-coder-30b-a3b-instruct', ['qwen', '3', 'coder']],
    ['deepseek-r1-0528', ['deepseek', 'r', '1']],
    ['gemini-2.0-flash-exp', ['gemini', '2.0', 'flash']],
    ['mixtral-8x7b-instruct', ['mixtral']],
    ['gpt-4o', ['gpt', '4o']],
  ];
  for (const [slug, family] of cases) assert.deepEqual(familyTokens(toNameTokens(slug)), family, slug);
});
