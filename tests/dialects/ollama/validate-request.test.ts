import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { validateChatRequest, validateGenerateRequest } from '../../../src/dialects/ollama/validate-request.ts';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).toString('base64');

describe('validateChatRequest accepts and normalises', () => {
  const cases: Array<{ name: string; body: unknown; expected: unknown }> = [
    { name: 'a load request: messages missing become []', body: { model: 'm' }, expected: { model: 'm', messages: [] } },
    { name: 'null counts as absent', body: { model: 'm', messages: null, stream: null, think: null }, expected: { model: 'm', messages: [] } },
    {
      name: 'missing content becomes "", role is lower-cased',
      body: { model: 'm', messages: [{ role: 'USER' }, { role: 'Assistant', content: 'hi', thinking: 'hmm' }] },
      expected: { model: 'm', messages: [{ role: 'user', content: '' }, { role: 'assistant', content: 'hi', thinking: 'hmm' }] },
    },
    {
      name: 'unknown fields and unknown option keys are dropped; known options kept',
      body: {
        model: 'm', messages: [], template: 'x', truncate: true, stream: false, keep_alive: '5m',
        options: { temperature: 0.2, num_ctx: 8192, num_gpu: 1, mirostat: 2, tfs_z: 1, stop: ['a'], seed: 4, num_predict: -1 },
      },
      expected: { model: 'm', messages: [], stream: false, keep_alive: '5m', options: { temperature: 0.2, stop: ['a'], seed: 4, num_predict: -1 } },
    },
    {
      name: 'every known option',
      body: { model: 'm', options: { temperature: 1, top_p: 0.9, top_k: 40, min_p: 0.1, num_predict: 10, stop: 'x', seed: 1, repeat_penalty: 1.1, presence_penalty: 0.5, frequency_penalty: 0.3 } },
      expected: { model: 'm', messages: [], options: { temperature: 1, top_p: 0.9, top_k: 40, min_p: 0.1, num_predict: 10, stop: 'x', seed: 1, repeat_penalty: 1.1, presence_penalty: 0.5, frequency_penalty: 0.3 } },
    },
    { name: 'keep_alive as a number', body: { model: 'm', keep_alive: 1800 }, expected: { model: 'm', messages: [], keep_alive: 1800 } },
    { name: 'think true', body: { model: 'm', think: true }, expected: { model: 'm', messages: [], think: true } },
    { name: 'think false', body: { model: 'm', think: false }, expected: { model: 'm', messages: [], think: false } },
    { name: 'think "max"', body: { model: 'm', think: 'max' }, expected: { model: 'm', messages: [], think: 'max' } },
    { name: 'format "json"', body: { model: 'm', format: 'json' }, expected: { model: 'm', messages: [], format: 'json' } },
    { name: 'format ""', body: { model: 'm', format: '' }, expected: { model: 'm', messages: [], format: '' } },
    { name: 'format schema', body: { model: 'm', format: { type: 'object' } }, expected: { model: 'm', messages: [], format: { type: 'object' } } },
    {
      name: 'tools are kept as given',
      body: { model: 'm', tools: [{ type: 'function', function: { name: 'f' } }] },
      expected: { model: 'm', messages: [], tools: [{ type: 'function', function: { name: 'f' } }] },
    },
    {
      name: 'images: raw base64 kept, data URL prefix stripped, empty list kept',
      body: { model: 'm', messages: [{ role: 'user', content: 'x', images: [PNG, `data:image/png;base64,${PNG}`] }, { role: 'user', images: [] }] },
      expected: { model: 'm', messages: [{ role: 'user', content: 'x', images: [PNG, PNG] }, { role: 'user', content: '', images: [] }] },
    },
    {
      name: 'tool calls: object arguments, JSON-string arguments, missing arguments, extra keys dropped',
      body: {
        model: 'm',
        messages: [{
          role: 'assistant',
          tool_calls: [
            { id: 'c1', index: 0, function: { index: 0, name: 'a', arguments: { x: 1 } } },
            { function: { name: 'b', arguments: '{"y":[2]}' } },
            { type: 'function', function: { name: 'c' } },
            { function: { name: 'd', arguments: ' ' } },
          ],
        }, { role: 'tool', content: '1', tool_name: 'a', tool_call_id: 'c1' }],
      },
      expected: {
        model: 'm',
        messages: [{
          role: 'assistant',
          content: '',
          tool_calls: [
            { id: 'c1', function: { index: 0, name: 'a', arguments: { x: 1 } } },
            { function: { name: 'b', arguments: { y: [2] } } },
            { type: 'function', function: { name: 'c', arguments: {} } },
            { function: { name: 'd', arguments: {} } },
          ],
        }, { role: 'tool', content: '1', tool_name: 'a', tool_call_id: 'c1' }],
      },
    },
  ];
  for (const { name, body, expected } of cases) {
    test(name, () => assert.deepEqual(validateChatRequest(body), expected));
  }

  test('does not mutate its input', () => {
    const body = { model: 'm', messages: [{ role: 'USER', images: [`data:image/png;base64,${PNG}`] }], extra: 1 };
    const before = structuredClone(body);
    validateChatRequest(body);
    assert.deepEqual(body, before);
  });
});

describe('validateChatRequest rejects with a 400 naming the field', () => {
  const cases: Array<{ body: unknown; message: string }> = [
    { body: undefined, message: 'missing request body' },
    { body: null, message: 'request body must be a JSON object' },
    { body: [], message: 'request body must be a JSON object' },
    { body: 'hi', message: 'request body must be a JSON object' },
    { body: 3, message: 'request body must be a JSON object' },
    { body: {}, message: 'model is required' },
    { body: { model: '' }, message: 'model is required' },
    { body: { model: 7 }, message: 'model must be a string' },
    { body: { model: 'm', messages: {} }, message: 'messages must be an array' },
    { body: { model: 'm', messages: ['hi'] }, message: 'messages[0] must be an object' },
    { body: { model: 'm', messages: [{ role: 'user' }, { role: 'user' }, { role: 'user', content: 5 }] }, message: 'messages[2].content must be a string' },
    { body: { model: 'm', messages: [{ content: 'x' }] }, message: 'messages[0].role is required' },
    { body: { model: 'm', messages: [{ role: 3 }] }, message: 'messages[0].role must be a string' },
    { body: { model: 'm', messages: [{ role: 'bot' }] }, message: 'messages[0].role must be one of system, user, assistant, tool' },
    { body: { model: 'm', messages: [{ role: 'user', thinking: 1 }] }, message: 'messages[0].thinking must be a string' },
    { body: { model: 'm', messages: [{ role: 'user', images: 'abc' }] }, message: 'messages[0].images must be an array' },
    { body: { model: 'm', messages: [{ role: 'user', images: [PNG, 'not base64!'] }] }, message: 'messages[0].images[1] must be a base64 string' },
    { body: { model: 'm', messages: [{ role: 'user', images: [PNG, 42] }] }, message: 'messages[0].images[1] must be a base64 string' },
    { body: { model: 'm', messages: [{ role: 'user', images: [''] }] }, message: 'messages[0].images[0] must be a base64 string' },
    { body: { model: 'm', messages: [{ role: 'user', images: ['abc'] }] }, message: 'messages[0].images[0] must be a base64 string' },
    { body: { model: 'm', messages: [{ role: 'user', images: ['data:text/plain;base64,YWJj'] }] }, message: 'messages[0].images[0] must be a base64 string' },
    { body: { model: 'm', messages: [{ role: 'tool', tool_name: 1 }] }, message: 'messages[0].tool_name must be a string' },
    { body: { model: 'm', messages: [{ role: 'tool', tool_call_id: {} }] }, message: 'messages[0].tool_call_id must be a string' },
    { body: { model: 'm', messages: [{ role: 'assistant', tool_calls: {} }] }, message: 'messages[0].tool_calls must be an array' },
    { body: { model: 'm', messages: [{ role: 'assistant', tool_calls: [{}] }] }, message: 'messages[0].tool_calls[0].function is required' },
    { body: { model: 'm', messages: [{ role: 'assistant', tool_calls: [{ function: {} }] }] }, message: 'messages[0].tool_calls[0].function.name is required' },
    { body: { model: 'm', messages: [{ role: 'assistant', tool_calls: [{ function: { name: 1 } }] }] }, message: 'messages[0].tool_calls[0].function.name must be a string' },
    { body: { model: 'm', messages: [{ role: 'assistant', tool_calls: [{ id: 1, function: { name: 'f' } }] }] }, message: 'messages[0].tool_calls[0].id must be a string' },
    { body: { model: 'm', messages: [{ role: 'assistant', tool_calls: [{ function: { name: 'f' } }, { function: { name: 'f', arguments: '{x' } }] }] }, message: 'messages[0].tool_calls[1].function.arguments is not valid JSON' },
    { body: { model: 'm', messages: [{ role: 'assistant', tool_calls: [{ function: { name: 'f', arguments: '[1]' } }] }] }, message: 'messages[0].tool_calls[0].function.arguments must be an object' },
    { body: { model: 'm', messages: [{ role: 'assistant', tool_calls: [{ function: { name: 'f', arguments: [1] } }] }] }, message: 'messages[0].tool_calls[0].function.arguments must be an object' },
    { body: { model: 'm', messages: [{ role: 'assistant', tool_calls: [{ function: { name: 'f', arguments: 3 } }] }] }, message: 'messages[0].tool_calls[0].function.arguments must be an object' },
    { body: { model: 'm', stream: 'yes' }, message: 'stream must be a boolean' },
    { body: { model: 'm', think: 'extreme' }, message: 'invalid think value: "extreme"' },
    { body: { model: 'm', think: 'true' }, message: 'invalid think value: "true"' },
    { body: { model: 'm', think: 1 }, message: 'invalid think value: 1' },
    { body: { model: 'm', format: 'xml' }, message: 'format must be "json" or a JSON schema object' },
    { body: { model: 'm', format: [] }, message: 'format must be "json" or a JSON schema object' },
    { body: { model: 'm', keep_alive: true }, message: 'keep_alive must be a number or a duration string' },
    { body: { model: 'm', keep_alive: '5 minutes' }, message: 'invalid keep_alive duration: "5 minutes"' },
    { body: { model: 'm', tools: {} }, message: 'tools must be an array' },
    { body: { model: 'm', tools: [{}, 'f'] }, message: 'tools[1] must be an object' },
    { body: { model: 'm', options: [] }, message: 'options must be an object' },
    { body: { model: 'm', options: { temperature: '0.5' } }, message: 'option "temperature" must be of type number' },
    { body: { model: 'm', options: { top_p: null, min_p: true } }, message: 'option "min_p" must be of type number' },
    { body: { model: 'm', options: { num_predict: 1.5 } }, message: 'option "num_predict" must be of type integer' },
    { body: { model: 'm', options: { seed: '1' } }, message: 'option "seed" must be of type integer' },
    { body: { model: 'm', options: { top_k: 4.2 } }, message: 'option "top_k" must be of type integer' },
    { body: { model: 'm', options: { stop: [1] } }, message: 'option "stop" must be of type string or array of strings' },
  ];
  for (const { body, message } of cases) {
    test(message, () => assert.throws(() => validateChatRequest(body), { name: 'HttpError', status: 400, message }));
  }
});

describe('validateGenerateRequest', () => {
  const accepted: Array<{ name: string; body: unknown; expected: unknown }> = [
    { name: 'prompt defaults to ""', body: { model: 'm' }, expected: { model: 'm', prompt: '' } },
    {
      name: 'every field kept; template and context are read only for the raw check',
      body: { model: 'm', prompt: 'p', suffix: 's', system: 'sys', raw: false, images: [PNG], format: 'json', options: { temperature: 0, num_ctx: 4 }, stream: true, keep_alive: 0, think: 'low', template: 't', context: [1, 2] },
      expected: { model: 'm', prompt: 'p', suffix: 's', system: 'sys', raw: false, images: [PNG], format: 'json', options: { temperature: 0 }, stream: true, keep_alive: 0, think: 'low' },
    },
    { name: 'raw with suffix (Continue autocomplete)', body: { model: 'm', prompt: 'a', suffix: 'b', raw: true }, expected: { model: 'm', prompt: 'a', suffix: 'b', raw: true } },
    { name: 'raw with an empty system and an empty context', body: { model: 'm', raw: true, system: '', context: [] }, expected: { model: 'm', prompt: '', raw: true, system: '' } },
  ];
  for (const { name, body, expected } of accepted) {
    test(name, () => assert.deepEqual(validateGenerateRequest(body), expected));
  }

  const rejected: Array<{ body: unknown; message: string }> = [
    { body: undefined, message: 'missing request body' },
    { body: [1], message: 'request body must be a JSON object' },
    { body: { prompt: 'x' }, message: 'model is required' },
    { body: { model: 'm', prompt: 1 }, message: 'prompt must be a string' },
    { body: { model: 'm', suffix: 1 }, message: 'suffix must be a string' },
    { body: { model: 'm', system: [] }, message: 'system must be a string' },
    { body: { model: 'm', raw: 'true' }, message: 'raw must be a boolean' },
    { body: { model: 'm', images: [PNG, '%%%%'] }, message: 'images[1] must be a base64 string' },
    { body: { model: 'm', stream: 0 }, message: 'stream must be a boolean' },
    { body: { model: 'm', think: 'on' }, message: 'invalid think value: "on"' },
    { body: { model: 'm', format: 1 }, message: 'format must be "json" or a JSON schema object' },
    { body: { model: 'm', keep_alive: '1y' }, message: 'invalid keep_alive duration: "1y"' },
    { body: { model: 'm', options: { repeat_penalty: 'high' } }, message: 'option "repeat_penalty" must be of type number' },
    { body: { model: 'm', raw: true, system: 'be nice' }, message: 'raw mode does not support template, system, or context' },
    { body: { model: 'm', raw: true, template: '{{ .Prompt }}' }, message: 'raw mode does not support template, system, or context' },
    { body: { model: 'm', raw: true, context: [1] }, message: 'raw mode does not support template, system, or context' },
  ];
  for (const { body, message } of rejected) {
    test(`rejects: ${message} (${JSON.stringify(body)})`, () => {
      assert.throws(() => validateGenerateRequest(body), { name: 'HttpError', status: 400, message });
    });
  }
});
