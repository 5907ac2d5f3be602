import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { OllamaChatRequest, OllamaGenerateRequest, OllamaMessage } from '../../../src/dialects/ollama/types.ts';
import { toOpenAIChatRequest, toOpenAIChatRequestFromGenerate } from '../../../src/dialects/ollama/to-chat-request.ts';
import { toFillInTheMiddlePrompt } from '../../../src/dialects/fill-in-the-middle.ts';
import type { ChatMessage, ChatRequest } from '../../../src/chat/wire.ts';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).toString('base64');
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]).toString('base64');
const call = (id: string, name: string, args: string) => ({ id, type: 'function' as const, function: { name, arguments: args } });
const chat = (messages: OllamaMessage[], extra: Partial<OllamaChatRequest> = {}) => ({ model: 'llama3.2', messages, ...extra });

function convertMessages(messages: OllamaMessage[]): ChatMessage[] {
  return toOpenAIChatRequest(chat(messages), 'up/model', false).messages;
}

describe('toOpenAIChatRequest: messages', () => {
  const cases: Array<{ name: string; input: OllamaMessage[]; expected: ChatMessage[] }> = [
    {
      name: 'system, user and assistant pass through; thinking is dropped',
      input: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello', thinking: 'greet them' }],
      expected: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }],
    },
    { name: 'an empty images list keeps string content', input: [{ role: 'user', content: 'hi', images: [] }], expected: [{ role: 'user', content: 'hi' }] },
    {
      name: 'images become data-URL parts after the text',
      input: [{ role: 'user', content: 'what is this?', images: [PNG, JPEG] }],
      expected: [{
        role: 'user',
        content: [
          { type: 'text', text: 'what is this?' },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
          { type: 'image_url', image_url: { url: `data:image/jpeg;base64,${JPEG}` } },
        ],
      }],
    },
    {
      name: 'an image with no text has no text part',
      input: [{ role: 'user', content: '', images: [PNG] }],
      expected: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } }] }],
    },
    { name: 'images on a system message are dropped', input: [{ role: 'system', content: 's', images: [PNG] }], expected: [{ role: 'system', content: 's' }] },
    {
      name: 'tool calls: ids kept or generated, arguments stringified, empty content becomes null',
      input: [
        { role: 'user', content: 'weather?' },
        { role: 'assistant', content: '', tool_calls: [{ id: 'abc', function: { name: 'get_weather', arguments: { city: 'Tokyo' } } }, { function: { name: 'get_time', arguments: {} } }] },
        { role: 'tool', content: '11 degrees', tool_call_id: 'abc' },
        { role: 'tool', content: '10:00', tool_call_id: 'call_1_1' },
      ],
      expected: [
        { role: 'user', content: 'weather?' },
        { role: 'assistant', content: null, tool_calls: [call('abc', 'get_weather', '{"city":"Tokyo"}'), call('call_1_1', 'get_time', '{}')] },
        { role: 'tool', content: '11 degrees', tool_call_id: 'abc' },
        { role: 'tool', content: '10:00', tool_call_id: 'call_1_1' },
      ],
    },
    {
      name: 'assistant text alongside tool calls is kept',
      input: [{ role: 'assistant', content: 'Let me check.', tool_calls: [{ function: { name: 'f', arguments: { a: 1 } } }] }, { role: 'tool', content: 'ok' }],
      expected: [{ role: 'assistant', content: 'Let me check.', tool_calls: [call('call_0_0', 'f', '{"a":1}')] }, { role: 'tool', content: 'ok', tool_call_id: 'call_0_0' }],
    },
    {
      name: 'results paired by tool_name, whatever their order',
      input: [
        { role: 'assistant', content: '', tool_calls: [{ function: { name: 'a', arguments: {} } }, { function: { name: 'b', arguments: {} } }] },
        { role: 'tool', content: 'B', tool_name: 'b' },
        { role: 'tool', content: 'A', tool_name: 'a' },
      ],
      expected: [
        { role: 'assistant', content: null, tool_calls: [call('call_0_0', 'a', '{}'), call('call_0_1', 'b', '{}')] },
        { role: 'tool', content: 'B', tool_call_id: 'call_0_1' },
        { role: 'tool', content: 'A', tool_call_id: 'call_0_0' },
      ],
    },
    {
      name: 'two calls of the same tool are answered in order',
      input: [
        { role: 'assistant', content: '', tool_calls: [{ id: 'x', function: { name: 'f', arguments: { n: 1 } } }, { id: 'y', function: { name: 'f', arguments: { n: 2 } } }] },
        { role: 'tool', content: '1', tool_name: 'f' },
        { role: 'tool', content: '2', tool_name: 'f' },
      ],
      expected: [
        { role: 'assistant', content: null, tool_calls: [call('x', 'f', '{"n":1}'), call('y', 'f', '{"n":2}')] },
        { role: 'tool', content: '1', tool_call_id: 'x' },
        { role: 'tool', content: '2', tool_call_id: 'y' },
      ],
    },
    {
      name: 'results with neither id nor name pair with the calls in order (LangChain)',
      input: [
        { role: 'assistant', content: '', tool_calls: [{ function: { name: 'a', arguments: {} } }, { function: { name: 'b', arguments: {} } }] },
        { role: 'tool', content: 'A' },
        { role: 'tool', content: 'B' },
      ],
      expected: [
        { role: 'assistant', content: null, tool_calls: [call('call_0_0', 'a', '{}'), call('call_0_1', 'b', '{}')] },
        { role: 'tool', content: 'A', tool_call_id: 'call_0_0' },
        { role: 'tool', content: 'B', tool_call_id: 'call_0_1' },
      ],
    },
    {
      name: 'an unknown tool_name or tool_call_id falls back to the next unanswered call',
      input: [
        { role: 'assistant', content: '', tool_calls: [{ function: { name: 'a', arguments: {} } }, { function: { name: 'b', arguments: {} } }] },
        { role: 'tool', content: 'A', tool_name: 'nope' },
        { role: 'tool', content: 'B', tool_call_id: 'stale' },
      ],
      expected: [
        { role: 'assistant', content: null, tool_calls: [call('call_0_0', 'a', '{}'), call('call_0_1', 'b', '{}')] },
        { role: 'tool', content: 'A', tool_call_id: 'call_0_0' },
        { role: 'tool', content: 'B', tool_call_id: 'call_0_1' },
      ],
    },
    {
      name: 'pairing only looks at the latest assistant message',
      input: [
        { role: 'assistant', content: '', tool_calls: [{ function: { name: 'a', arguments: {} } }] },
        { role: 'tool', content: 'A' },
        { role: 'assistant', content: '', tool_calls: [{ function: { name: 'a', arguments: {} } }] },
        { role: 'tool', content: 'A2', tool_name: 'a' },
      ],
      expected: [
        { role: 'assistant', content: null, tool_calls: [call('call_0_0', 'a', '{}')] },
        { role: 'tool', content: 'A', tool_call_id: 'call_0_0' },
        { role: 'assistant', content: null, tool_calls: [call('call_2_0', 'a', '{}')] },
        { role: 'tool', content: 'A2', tool_call_id: 'call_2_0' },
      ],
    },
    {
      name: 'orphan results (no call before, or more results than calls) become user messages',
      input: [
        { role: 'tool', content: '42', tool_call_id: 'zzz' },
        { role: 'assistant', content: 'hi' },
        { role: 'tool', content: 'sunny', tool_name: 'weather' },
        { role: 'assistant', content: '', tool_calls: [{ function: { name: 'f', arguments: {} } }] },
        { role: 'tool', content: 'one' },
        { role: 'tool', content: 'two' },
      ],
      expected: [
        { role: 'user', content: 'Tool result: 42' },
        { role: 'assistant', content: 'hi' },
        { role: 'user', content: 'Tool result (weather): sunny' },
        { role: 'assistant', content: null, tool_calls: [call('call_3_0', 'f', '{}')] },
        { role: 'tool', content: 'one', tool_call_id: 'call_3_0' },
        { role: 'user', content: 'Tool result: two' },
      ],
    },
  ];
  for (const { name, input, expected } of cases) {
    test(name, () => assert.deepEqual(convertMessages(input), expected));
  }

  test('does not mutate its input', () => {
    const input: OllamaMessage[] = [{ role: 'assistant', content: '', tool_calls: [{ function: { name: 'f', arguments: { a: 1 } } }] }, { role: 'tool', content: 'x' }];
    const before = structuredClone(input);
    convertMessages(input);
    assert.deepEqual(input, before);
  });
});

describe('toOpenAIChatRequest: request fields', () => {
  const base = { model: 'up/model', messages: [{ role: 'user', content: 'hi' }] } as const;
  const user = [{ role: 'user', content: 'hi' }];
  const cases: Array<{ name: string; extra: Partial<OllamaChatRequest>; stream?: boolean; expected: Partial<ChatRequest> }> = [
    { name: 'minimal, not streaming', extra: {}, expected: { stream: false } },
    { name: 'streaming asks for usage', extra: {}, stream: true, expected: { stream: true, stream_options: { include_usage: true } } },
    { name: 'think true', extra: { think: true }, expected: { stream: false, reasoning: { enabled: true } } },
    { name: 'think false', extra: { think: false }, expected: { stream: false, reasoning: { enabled: false } } },
    { name: 'think "low"', extra: { think: 'low' }, expected: { stream: false, reasoning: { effort: 'low' } } },
    { name: 'think "medium"', extra: { think: 'medium' }, expected: { stream: false, reasoning: { effort: 'medium' } } },
    { name: 'think "high"', extra: { think: 'high' }, expected: { stream: false, reasoning: { effort: 'high' } } },
    { name: 'think "max"', extra: { think: 'max' }, expected: { stream: false, reasoning: { effort: 'max' } } },
    { name: 'format "json"', extra: { format: 'json' }, expected: { stream: false, response_format: { type: 'json_object' } } },
    { name: 'format ""', extra: { format: '' }, expected: { stream: false } },
    {
      name: 'format schema',
      extra: { format: { type: 'object', properties: { a: { type: 'number' } } } },
      expected: { stream: false, response_format: { type: 'json_schema', json_schema: { name: 'response', schema: { type: 'object', properties: { a: { type: 'number' } } } } } },
    },
    {
      name: 'options mapped; runner keys ignored',
      extra: { options: { temperature: 0.1, top_p: 0.9, top_k: 40, min_p: 0.05, seed: 7, presence_penalty: 0.2, frequency_penalty: 0.3, num_predict: 100, repeat_penalty: 1.1, stop: ['</s>'], num_ctx: 8192, num_gpu: 99, mirostat: 1 } },
      expected: { stream: false, temperature: 0.1, top_p: 0.9, top_k: 40, min_p: 0.05, seed: 7, presence_penalty: 0.2, frequency_penalty: 0.3, max_tokens: 100, repetition_penalty: 1.1, stop: ['</s>'] },
    },
    { name: 'zero values are kept', extra: { options: { temperature: 0, seed: 0 } }, expected: { stream: false, temperature: 0, seed: 0 } },
    { name: 'num_predict -1 (unlimited) is omitted', extra: { options: { num_predict: -1 } }, expected: { stream: false } },
    { name: 'num_predict -2 (fill context) is omitted', extra: { options: { num_predict: -2 } }, expected: { stream: false } },
    { name: 'num_predict 0 (no limit in Ollama) is omitted', extra: { options: { num_predict: 0 } }, expected: { stream: false } },
    { name: 'seed -1 (random) is omitted', extra: { options: { seed: -1 } }, expected: { stream: false } },
    { name: 'stop as a string becomes an array', extra: { options: { stop: '\n' } }, expected: { stream: false, stop: ['\n'] } },
    { name: 'an empty stop list is omitted', extra: { options: { stop: [] } }, expected: { stream: false } },
    {
      name: 'tools pass through, type defaulted',
      extra: { tools: [{ type: 'function', function: { name: 'a', parameters: { type: 'object' } } }, { function: { name: 'b', description: 'B' } }] },
      expected: { stream: false, tools: [{ type: 'function', function: { name: 'a', parameters: { type: 'object' } } }, { type: 'function', function: { name: 'b', description: 'B' } }] },
    },
    { name: 'an empty tools list is omitted', extra: { tools: [] }, expected: { stream: false } },
    { name: 'stream and keep_alive are not copied from the request', extra: { stream: true, keep_alive: '5m' }, expected: { stream: false } },
  ];
  for (const { name, extra, stream = false, expected } of cases) {
    test(name, () => {
      assert.deepEqual(toOpenAIChatRequest(chat(user, extra), 'up/model', stream), { ...base, ...expected });
    });
  }
});

describe('toOpenAIChatRequestFromGenerate', () => {
  const cases: Array<{ name: string; input: Omit<OllamaGenerateRequest, 'model'>; stream?: boolean; expected: Omit<ChatRequest, 'model'> }> = [
    { name: 'prompt only', input: { prompt: 'hi' }, expected: { messages: [{ role: 'user', content: 'hi' }], stream: false } },
    {
      name: 'system becomes a system message',
      input: { prompt: 'hi', system: 'be brief' },
      stream: true,
      expected: { messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } },
    },
    { name: 'an empty system is left out', input: { prompt: 'hi', system: '' }, expected: { messages: [{ role: 'user', content: 'hi' }], stream: false } },
    { name: 'raw sends the prompt as-is', input: { prompt: '<|user|>hi<|end|>', raw: true }, expected: { messages: [{ role: 'user', content: '<|user|>hi<|end|>' }], stream: false } },
    {
      name: 'images join the prompt',
      input: { prompt: 'describe', images: [PNG] },
      expected: { messages: [{ role: 'user', content: [{ type: 'text', text: 'describe' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } }] }], stream: false },
    },
    {
      name: 'suffix becomes a fill-in-the-middle instruction',
      input: { prompt: 'def add(a, b):\n    ', suffix: '\n\nprint(add(1, 2))' },
      expected: {
        messages: [{
          role: 'user',
          content: '<prefix>def add(a, b):\n    </prefix>\n<suffix>\n\nprint(add(1, 2))</suffix>\n\n' +
            'Write the text that belongs between <prefix> and <suffix>. Reply with that text only: ' +
            'no explanation, no Markdown code fences, and do not repeat the prefix or the suffix.',
        }],
        stream: false,
      },
    },
    {
      name: 'raw with a suffix (Continue autocomplete) still gets the instruction',
      input: { prompt: 'a', suffix: 'c', raw: true },
      expected: { messages: [{ role: 'user', content: toFillInTheMiddlePrompt('a', 'c') }], stream: false },
    },
    { name: 'an empty suffix is no suffix', input: { prompt: 'a', suffix: '' }, expected: { messages: [{ role: 'user', content: 'a' }], stream: false } },
    {
      name: 'format, options and think as for chat',
      input: { prompt: 'p', format: 'json', think: 'high', options: { num_predict: 5, repeat_penalty: 1.2, num_ctx: 2048 } },
      expected: { messages: [{ role: 'user', content: 'p' }], stream: false, reasoning: { effort: 'high' }, response_format: { type: 'json_object' }, max_tokens: 5, repetition_penalty: 1.2 },
    },
  ];
  for (const { name, input, stream = false, expected } of cases) {
    test(name, () => {
      assert.deepEqual(toOpenAIChatRequestFromGenerate({ model: 'codellama', ...input }, 'up/model', stream), { model: 'up/model', ...expected });
    });
  }
});
