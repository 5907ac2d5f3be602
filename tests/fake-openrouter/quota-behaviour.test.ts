// The offline OpenRouter behaves like the real one where the free quota is at stake: the context
// check, structured output only where a model supports it, and a burst of provider rate limits.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { promptTokensOf } from '../../src/fake-openrouter/context-length.ts';
import { chat, startFake, userSays } from './helpers.ts';
import type { Json } from './helpers.ts';

const LLAMA = 'meta-llama/llama-3.3-70b-instruct:free'; // top provider context 65536, no structured_outputs
const GEMINI = 'google/gemini-2.0-flash-exp:free'; // 1048576
const ACME = 'acme/chat-7b:free'; // 8192: OpenRouter compresses instead of refusing

test('the fake counts one token per 3 characters of text, tool calls and tool definitions', () => {
  const tool = { type: 'function', function: { name: 'f', parameters: {} } };
  const cases: Array<{ messages: Json[]; tools?: Json[]; tokens: number }> = [
    { messages: [{ role: 'user', content: 'abcdef' }], tokens: 2 },
    { messages: [{ role: 'user', content: [{ type: 'text', text: 'abcd' }, { type: 'image_url', image_url: { url: 'x' } }] }], tokens: 2 },
    { messages: [{ role: 'assistant', content: null, tool_calls: [{ function: { name: 'ab', arguments: '{}' } }] }], tokens: 2 },
    { messages: [{ role: 'user', content: '' }], tools: [tool], tokens: Math.ceil(JSON.stringify(tool.function).length / 3) },
  ];
  for (const { messages, tools, tokens } of cases) assert.equal(promptTokensOf({ messages, ...(tools ? { tools } : {}) } as never), tokens, JSON.stringify(messages));
});

test("a prompt plus max_tokens larger than the endpoint's context gets OpenRouter's 400", async (t) => {
  const fake = await startFake(t);
  const text = 'x'.repeat(3 * 60_000); // 60,000 tokens as the fake counts them
  const fits = await chat(fake, userSays(text, { model: LLAMA, max_tokens: 5000 }));
  assert.equal(fits.status, 200);
  const refused = await chat(fake, userSays(text, { model: LLAMA, max_tokens: 6000 }));
  assert.equal(refused.status, 400);
  assert.deepEqual(await refused.json(), {
    error: {
      code: 400,
      message: "This endpoint's maximum context length is 65536 tokens. However, you requested about 66000 tokens (60000 of text input, 6000 in the output). " +
        'Please reduce the length of either one, or use the "middle-out" transform to compress your prompt automatically.',
      metadata: { error_type: 'context_length_exceeded' },
    },
    user_id: 'user_fake',
  });
  assert.equal((await chat(fake, userSays('x'.repeat(3 * 70_000), { model: GEMINI }))).status, 200, 'a 1M context holds it');
  assert.equal((await chat(fake, userSays('x'.repeat(3 * 70_000), { model: ACME }))).status, 200, 'an 8k endpoint compresses instead');
});

test('a JSON schema is honoured by models with structured_outputs and ignored (prose) by the others', async (t) => {
  const fake = await startFake(t);
  const titleFormat = { type: 'json_schema', json_schema: { name: 'output', schema: { type: 'object', properties: { title: { type: 'string' } }, required: ['title'] } } };
  const content = async (model: string, response_format: Json) =>
    ((await (await chat(fake, userSays('name it', { model, response_format }))).json()) as Json)['choices'][0]['message']['content'];
  assert.equal(await content(GEMINI, titleFormat), '{"title":"name it"}');
  assert.equal(await content(LLAMA, titleFormat), 'Echo: name it');
  assert.equal(await content(LLAMA, { type: 'json_object' }), '{"echo":"name it"}', 'JSON mode needs only response_format');
  assert.equal(await content('other/chat-7b:free', { type: 'json_object' }), 'Echo: name it', 'no response_format: prose');
  const listed = ((await (await fetch(`${fake.url}/models`)).json()) as Json)['data'] as Json[];
  const params = (id: string) => listed.find((model) => model['id'] === id)?.['supported_parameters'] as string[];
  assert.ok(params(GEMINI).includes('structured_outputs'));
  assert.ok(!params(LLAMA).includes('structured_outputs') && params(LLAMA).includes('response_format'));
});

test('a 429 outage is a burst of provider rate limits, each naming its model', async (t) => {
  const fake = await startFake(t);
  fake.outage({ status: 429, durationMs: 60_000, retryAfterSeconds: 7 });
  for (const model of [GEMINI, LLAMA]) {
    const response = await chat(fake, userSays('hi', { model, stream: true }));
    assert.equal(response.status, 429);
    assert.equal(response.headers.get('retry-after'), '7');
    const error = ((await response.json()) as Json)['error'];
    assert.equal(error['message'], 'Provider returned error');
    assert.equal(error['metadata']['provider_name'], 'Venice');
    assert.match(error['metadata']['raw'], new RegExp(`^${model.replace(/[.]/g, '\\.')} is temporarily rate-limited upstream`));
  }
  assert.equal(fake.outageStatus().refused, 2);
  fake.endOutage();
  assert.equal((await chat(fake, userSays('hi', { model: GEMINI }))).status, 200);
});
