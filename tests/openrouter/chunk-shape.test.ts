// The boundary check of OpenRouter's chunks and completions, and the text an upstream error becomes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { malformedChunkReason, malformedCompletionReason } from '../../src/openrouter/chunk-shape.ts';
import { quoteUpstreamData, upstreamText } from '../../src/openrouter/upstream-text.ts';

const CHUNKS: Array<[unknown, string | undefined]> = [
  [{ choices: [{ index: 0, delta: { content: 'hi' }, finish_reason: null }] }, undefined],
  [{ choices: [], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } }, undefined],
  // null wherever a field is optional: OpenAI-compatible providers send these.
  [{ choices: [{ delta: null, finish_reason: 'stop' }], usage: null }, undefined],
  [{ choices: [{ delta: { content: null, tool_calls: null, reasoning: null } }] }, undefined],
  [{ choices: [{ delta: { tool_calls: [{ index: 0, id: null, function: { name: 'f', arguments: null } }] } }] }, undefined],
  [{ choices: null, error: { message: 'x' } }, undefined],
  // Fields nobody reads are not checked.
  [{ choices: [{ delta: { content: 'x', annotations: 5 }, logprobs: 'odd' }], provider: 7 }, undefined],
  [null, 'the chunk is null'],
  [5, 'the chunk is a number'],
  [[], 'the chunk is an array'],
  [{ choices: 5 }, 'choices is a number'],
  [{ choices: [null] }, 'choices[0] is null'],
  [{ choices: [{}, 'x'] }, 'choices[1] is a string'],
  [{ choices: [{ delta: [] }] }, 'choices[0].delta is an array'],
  [{ choices: [{ delta: { content: 1 } }] }, 'choices[0].delta.content is a number'],
  [{ choices: [{ delta: { reasoning_content: {} } }] }, 'choices[0].delta.reasoning_content is an object'],
  [{ choices: [{ delta: { tool_calls: [null] } }] }, 'choices[0].delta.tool_calls[0] is null'],
  [{ choices: [{ delta: { tool_calls: [{ index: 0 }, { index: 1, function: [] }] } }] }, 'choices[0].delta.tool_calls[1].function is an array'],
  [{ choices: [{ delta: { tool_calls: [{ function: { arguments: {} } }] } }] }, 'choices[0].delta.tool_calls[0].function.arguments is an object'],
  [{ choices: [{ finish_reason: true }] }, 'choices[0].finish_reason is a boolean'],
  [{ choices: [{ error: 'boom' }] }, 'choices[0].error is a string'],
  [{ usage: { completion_tokens: '3' } }, 'usage.completion_tokens is a string'],
  [{ error: 5 }, 'error is a number'],
];

test('malformedChunkReason names the first field of the wrong type, or nothing', () => {
  for (const [chunk, reason] of CHUNKS) assert.equal(malformedChunkReason(chunk), reason, JSON.stringify(chunk));
});

test('malformedCompletionReason checks the message where a chunk has its delta', () => {
  const cases: Array<[unknown, string | undefined]> = [
    [{ choices: [{ message: { role: 'assistant', content: 'x', tool_calls: [{ id: 'a', function: { name: 'f', arguments: '{}' } }] } }] }, undefined],
    [{ choices: [{ message: { content: null }, finish_reason: 'stop' }], usage: null }, undefined],
    [{ choices: 'x' }, 'choices is a string'],
    [{ choices: [{ message: 'x' }] }, 'choices[0].message is a string'],
    [{ choices: [{ message: { tool_calls: [null] } }] }, 'choices[0].message.tool_calls[0] is null'],
    [true, 'the completion is a boolean'],
  ];
  for (const [completion, reason] of cases) assert.equal(malformedCompletionReason(completion), reason, JSON.stringify(completion));
});

test('upstream text: the key and key-shaped strings redacted, long text cut, a key across the cut still found', () => {
  const key = 'some-configured-key-9';
  assert.equal(upstreamText(`bad key ${key}`, [key]), 'bad key [redacted]');
  assert.equal(upstreamText('Authorization: Bearer sk-or-v1-abcdef0123456789abcdef', []), 'Authorization: Bearer [redacted]');
  const long = upstreamText('x'.repeat(5000), []);
  assert.equal(long.length, 1001);
  assert.ok(long.endsWith('…'));
  // The key starts just before the cut: redacted whole, not half shown.
  const straddling = upstreamText(`${'x'.repeat(990)}${key}`, [key]);
  assert.ok(!straddling.includes(key.slice(0, 10)), straddling.slice(980));
  assert.equal(quoteUpstreamData(`{"k":"${key}"}`, [key]), '{"k":"[redacted]"}');
  assert.equal(quoteUpstreamData('y'.repeat(500), []).length, 121);
});
