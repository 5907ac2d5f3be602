// Images a tool returned, on every client API that can carry them, through the real HTTP endpoints
// and the offline OpenRouter: the tool message keeps its text, the images follow the tool messages as
// user content (chat completions' tool messages carry text only), and routing picks a model that
// reads images even though the client asked for a text-only one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultCatalog } from '../../src/fake-openrouter/server.ts';
import { post, startProxy } from '../helpers/harness.ts';

// A 1×1 PNG.
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const DATA_URL = `data:image/png;base64,${PNG}`;
const readTool = { name: 'read', parameters: { type: 'object', properties: { path: { type: 'string' } } } };
const visionModels = new Set(defaultCatalog().filter((model) => model.architecture.input_modalities.includes('image')).map((model) => model.id));

const cases: Array<{ api: string; path: string; body: Record<string, unknown> }> = [
  {
    api: 'Responses (function_call_output with input_image)', path: '/v1/responses',
    body: {
      model: 'qwen3-coder:free', stream: false, tools: [{ type: 'function', ...readTool }],
      input: [
        { role: 'user', content: 'Describe logo.png' },
        { type: 'function_call', call_id: 'call_1', name: 'read', arguments: '{"path":"logo.png"}' },
        { type: 'function_call_output', call_id: 'call_1', output: [{ type: 'input_text', text: 'Read image file [image/png]' }, { type: 'input_image', image_url: DATA_URL }] },
      ],
    },
  },
  {
    api: 'Ollama (a tool message with images)', path: '/api/chat',
    body: {
      model: 'qwen3-coder:free', stream: false, tools: [{ type: 'function', function: readTool }],
      messages: [
        { role: 'user', content: 'Describe logo.png' },
        { role: 'assistant', content: '', tool_calls: [{ id: 'call_1', function: { name: 'read', arguments: { path: 'logo.png' } } }] },
        { role: 'tool', tool_call_id: 'call_1', content: 'Read image file [image/png]', images: [PNG] },
      ],
    },
  },
  {
    api: 'Anthropic (a tool_result with an image block)', path: '/v1/messages',
    body: {
      model: 'qwen3-coder:free', max_tokens: 100, tools: [{ name: 'read', input_schema: readTool.parameters }],
      messages: [
        { role: 'user', content: 'Describe logo.png' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'call_1', name: 'read', input: { path: 'logo.png' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1', content: [{ type: 'text', text: 'Read image file [image/png]' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } }] }] },
      ],
    },
  },
];

for (const { api, path, body } of cases) {
  test(`${api}: the image follows the tool message upstream, and a vision model answers`, async (t) => {
    const proxy = await startProxy(t);
    const reply = await post(proxy, path, body);
    assert.equal(reply.status, 200, reply.text);
    const upstream = proxy.fake.chatRequests();
    assert.equal(upstream.length, 1);
    const messages = (upstream[0]?.messages ?? []) as Array<{ role: string; content: unknown }>;
    assert.deepEqual(messages.slice(-2), [
      { role: 'tool', tool_call_id: 'call_1', content: 'Read image file [image/png]' },
      { role: 'user', content: [{ type: 'image_url', image_url: { url: DATA_URL } }] },
    ]);
    assert.ok(visionModels.has(String(upstream[0]?.model)), `${String(upstream[0]?.model)} does not read images`);
  });
}
