// Tables for the dialect's small pure functions: stop reasons, errors, model pages (the token estimate is
// tests/chat/estimate-tokens.test.ts, fitting max_tokens tests/routing/fit-to-model.test.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CatalogModel } from '../../../src/catalog/model-info.ts';
import { toAnthropicErrorBody, toAnthropicErrorType } from '../../../src/dialects/anthropic/errors.ts';
import { toAnthropicStopReason } from '../../../src/dialects/anthropic/map-stop-reason.ts';
import { toAnthropicModelPage } from '../../../src/dialects/anthropic/models.ts';
import { HttpError } from '../../../src/errors.ts';

describe('toAnthropicStopReason', () => {
  const cases: Array<[string | null | undefined, string | null | undefined, boolean, string]> = [
    ['stop', 'stop', false, 'end_turn'],
    ['stop', 'end_turn', true, 'tool_use'],
    ['tool_calls', null, false, 'tool_use'],
    ['length', 'length', false, 'max_tokens'],
    ['content_filter', null, false, 'refusal'],
    ['stop', 'stop_sequence', false, 'stop_sequence'],
    [undefined, undefined, false, 'end_turn'],
  ];
  for (const [finish, native, calledTools, expected] of cases) {
    test(`${finish}/${native}/${calledTools} → ${expected}`, () => assert.equal(toAnthropicStopReason(finish, native, calledTools), expected));
  }
});

describe('Anthropic errors', () => {
  const cases: Array<[number, string]> = [
    [400, 'invalid_request_error'], [401, 'authentication_error'], [402, 'billing_error'], [403, 'permission_error'],
    [404, 'not_found_error'], [405, 'invalid_request_error'], [413, 'request_too_large'], [429, 'rate_limit_error'],
    [499, 'invalid_request_error'], [500, 'api_error'], [502, 'api_error'], [503, 'overloaded_error'], [504, 'timeout_error'], [529, 'overloaded_error'],
  ];
  for (const [status, type] of cases) test(`${status} → ${type}`, () => assert.equal(toAnthropicErrorType(status), type));

  test('the body shape; internal failures keep their message hidden', () => {
    assert.deepEqual(toAnthropicErrorBody(new HttpError(429, 'slow down')), { type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } });
    assert.deepEqual(toAnthropicErrorBody(new HttpError(500, 'db path /secret', { expose: false })), { type: 'error', error: { type: 'api_error', message: 'internal server error' } });
  });
});

describe('toAnthropicModelPage', () => {
  const model = (name: string, created: number): CatalogModel => ({
    id: `v/${name}`, name, title: `Title ${name}`, contextLength: 1, free: true, created, family: '', parameterSize: '',
    capabilities: { completion: true, tools: false, vision: false, thinking: false, embedding: false, structuredOutputs: false, jsonMode: false },
  });
  const models = ['a', 'b', 'c', 'd', 'e'].map((name, i) => model(name, 1_700_000_000 + i)).map((entry) => ({ id: entry.name, model: entry }));
  const page = (query: string) => {
    const result = toAnthropicModelPage(models, new URLSearchParams(query));
    return { ids: result.data.map((m) => m.id), has_more: result.has_more, first_id: result.first_id, last_id: result.last_id };
  };
  const cases: Array<[string, ReturnType<typeof page>]> = [
    ['', { ids: ['a', 'b', 'c', 'd', 'e'], has_more: false, first_id: 'a', last_id: 'e' }],
    ['limit=2', { ids: ['a', 'b'], has_more: true, first_id: 'a', last_id: 'b' }],
    ['limit=2&after_id=b', { ids: ['c', 'd'], has_more: true, first_id: 'c', last_id: 'd' }],
    ['limit=2&after_id=d', { ids: ['e'], has_more: false, first_id: 'e', last_id: 'e' }],
    ['limit=2&before_id=d', { ids: ['b', 'c'], has_more: true, first_id: 'b', last_id: 'c' }],
    ['limit=2&before_id=b', { ids: ['a'], has_more: false, first_id: 'a', last_id: 'a' }],
    ['after_id=e', { ids: [], has_more: false, first_id: null, last_id: null }],
  ];
  for (const [query, expected] of cases) test(`?${query}`, () => assert.deepEqual(page(query), expected));

  test('a model object, with its context window as max_input_tokens', () => {
    assert.deepEqual(toAnthropicModelPage(models, new URLSearchParams('limit=1')).data[0], {
      type: 'model', id: 'a', display_name: 'Title a', created_at: '2023-11-14T22:13:20.000Z', max_input_tokens: 1,
    });
  });

  for (const query of ['limit=0', 'limit=1001', 'limit=x', 'after_id=zz', 'before_id=zz']) {
    test(`?${query} is a 400`, () => assert.throws(() => toAnthropicModelPage(models, new URLSearchParams(query)), (error: unknown) => error instanceof HttpError && error.status === 400));
  }
});
