// Fitting the client's output ceiling to each model, for every API.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CatalogModel } from '../../src/catalog/model-info.ts';
import type { TokenEstimate } from '../../src/chat/estimate-tokens.ts';
import { fitToModel } from '../../src/routing/fit-to-model.ts';

const model = (contextLength: number, maxCompletionTokens?: number) => ({ contextLength, ...(maxCompletionTokens ? { maxCompletionTokens } : {}) }) as CatalogModel;
const estimate = (atMost: number): TokenEstimate => ({ tokens: atMost, atLeast: atMost, atMost });
const messages = [{ role: 'user' as const, content: 'x' }];

const cases: Array<[string, Record<string, number>, CatalogModel, TokenEstimate | undefined, Record<string, number>]> = [
  ['fits: kept', { max_tokens: 1000 }, model(4096), estimate(100), { max_tokens: 1000 }],
  ['exactly fits: kept', { max_tokens: 1000 }, model(1100), estimate(100), { max_tokens: 1000 }],
  ['prompt (at most) plus ceiling overflow the context: dropped', { max_tokens: 1000 }, model(1099), estimate(100), {}],
  ['Claude Code ceiling on a 128k model: dropped', { max_tokens: 128_000 }, model(131_072), estimate(5000), {}],
  ['above the largest completion: lowered to it', { max_tokens: 128_000 }, model(1_048_576, 8192), estimate(5000), { max_tokens: 8192 }],
  ['lowered, and then too large for the context: dropped', { max_tokens: 128_000 }, model(10_000, 8192), estimate(5000), {}],
  ['max_completion_tokens (OpenAI) alike', { max_completion_tokens: 9000, max_tokens: 9000 }, model(1_048_576, 8192), estimate(5000), { max_completion_tokens: 8192, max_tokens: 8192 }],
  ['unknown context length: kept', { max_tokens: 1000 }, model(0), estimate(100), { max_tokens: 1000 }],
  ['no estimate (embeddings): kept', { max_tokens: 1000 }, model(10), undefined, { max_tokens: 1000 }],
  ['no ceiling: nothing to fit', {}, model(10), estimate(100), {}],
];

for (const [name, ceilings, target, size, expected] of cases) {
  test(name, () => {
    const chat = { messages, ...ceilings };
    const fitted = fitToModel(chat, target, size);
    assert.deepEqual(fitted, { messages, ...expected });
    if (JSON.stringify(expected) === JSON.stringify(ceilings)) assert.equal(fitted, chat, 'unchanged requests are not copied');
  });
}
