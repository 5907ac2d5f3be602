// The real `openai` SDK's Responses API against /v1/responses, the proxy and the offline OpenRouter.
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import OpenAI from 'openai';
import { APP_ORIGIN, startProxy, type Proxy } from '../helpers/harness.ts';
import { lastUpstreamChat, upstreamChats } from '../helpers/fidelity-helpers.ts';

const WEATHER = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: false,
};

async function client(t: TestContext): Promise<{ proxy: Proxy; openai: OpenAI }> {
  const proxy = await startProxy(t);
  return { proxy, openai: new OpenAI({ baseURL: `${APP_ORIGIN}/v1`, fetch: proxy.fetch, apiKey: 'any-key-works', maxRetries: 0 }) };
}

describe('openai SDK: responses', () => {
  test('responses.create: a message item, usage, and the request mapped to a chat upstream', async (t) => {
    const { proxy, openai } = await client(t);
    const response = await openai.responses.create({
      model: 'gpt-4o', instructions: 'be brief', input: 'abc def', temperature: 0.2, top_p: 0.9, max_output_tokens: 50,
      store: true, include: ['reasoning.encrypted_content'], prompt_cache_key: 'k1', metadata: { run: '1' },
    });
    assert.match(response.id, /^resp_/);
    assert.equal(response.status, 'completed');
    assert.equal(response.output_text, 'Echo: abc def');
    const [message] = response.output;
    assert.equal(message?.type, 'message');
    assert.match(message.id, /^msg_/);
    assert.deepEqual(response.usage && [response.usage.input_tokens, response.usage.output_tokens, response.usage.total_tokens], [4, 3, 7]);
    assert.equal((response as unknown as { store: boolean }).store, false);
    const upstream = lastUpstreamChat(proxy);
    assert.deepEqual(upstream.messages, [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'abc def' }]);
    assert.deepEqual([upstream.temperature, upstream.top_p, upstream.max_tokens], [0.2, 0.9, 50]);
    for (const field of ['store', 'include', 'prompt_cache_key', 'metadata', 'instructions', 'input']) assert.equal(field in upstream, false, field);
  });

  test('responses.stream: text deltas add up to the final response', async (t) => {
    const { openai } = await client(t);
    const stream = openai.responses.stream({ model: 'gpt-4o', input: [{ role: 'user', content: [{ type: 'input_text', text: 'one two three' }] }] });
    let deltas = '';
    const types: string[] = [];
    stream.on('response.output_text.delta', (event) => void (deltas += event.delta));
    stream.on('event', (event) => void types.push(event.type));
    const final = await stream.finalResponse();
    assert.equal(deltas, 'Echo: one two three');
    assert.equal(final.output_text, 'Echo: one two three');
    assert.deepEqual(types.slice(0, 4), ['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added']);
    assert.deepEqual(types.slice(-4), ['response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.completed']);
  });

  test('function tools round trip: function_call out, function_call_output back in', async (t) => {
    const { proxy, openai } = await client(t);
    const first = await openai.responses.create({ model: 'gpt-4o', input: 'Paris', tools: [WEATHER], tool_choice: 'auto', parallel_tool_calls: false });
    const call = first.output.find((item) => item.type === 'function_call');
    assert.ok(call && call.type === 'function_call');
    assert.match(call.id ?? '', /^fc_/);
    assert.match(call.call_id, /^call_/);
    assert.deepEqual([call.name, JSON.parse(call.arguments)], ['get_weather', { city: 'Paris' }]);
    const upstreamTools = lastUpstreamChat(proxy).tools;
    assert.deepEqual(upstreamTools, [{ type: 'function', function: { name: 'get_weather', description: WEATHER.description, parameters: WEATHER.parameters } }]);

    const second = await openai.responses.create({
      model: 'gpt-4o', tools: [WEATHER],
      input: [{ role: 'user', content: 'Paris' }, call, { type: 'function_call_output', call_id: call.call_id, output: 'sunny' }],
    });
    assert.equal(second.output_text, 'Tool result: sunny');
    const messages = lastUpstreamChat(proxy).messages;
    assert.deepEqual(messages.slice(1), [
      { role: 'assistant', content: null, tool_calls: [{ id: call.call_id, type: 'function', function: { name: 'get_weather', arguments: call.arguments } }] },
      { role: 'tool', tool_call_id: call.call_id, content: 'sunny' },
    ]);
  });

  test('streamed function call: argument deltas, then the item done', async (t) => {
    const { openai } = await client(t);
    const stream = openai.responses.stream({ model: 'gpt-4o', input: 'Rome', tools: [WEATHER] });
    let args = '';
    stream.on('response.function_call_arguments.delta', (event) => void (args += event.delta));
    const final = await stream.finalResponse();
    const call = final.output.find((item) => item.type === 'function_call');
    assert.ok(call && call.type === 'function_call');
    assert.equal(call.arguments, args);
    assert.deepEqual(JSON.parse(args), { city: 'Rome' });
  });

  test('reasoning: effort goes upstream, the thinking comes back as a reasoning item summary', async (t) => {
    const { proxy, openai } = await client(t);
    const stream = openai.responses.stream({ model: 'gpt-oss-20b:free', input: 'why', reasoning: { effort: 'low', summary: 'auto' } });
    let summary = '';
    stream.on('response.reasoning_summary_text.delta', (event) => void (summary += event.delta));
    const final = await stream.finalResponse();
    assert.deepEqual(lastUpstreamChat(proxy).reasoning, { effort: 'low' });
    const reasoning = final.output[0];
    assert.ok(reasoning?.type === 'reasoning');
    assert.match(reasoning.id, /^rs_/);
    assert.deepEqual(reasoning.summary, [{ type: 'summary_text', text: 'Thinking about: why' }]);
    assert.equal(summary, 'Thinking about: why');
    assert.equal(final.output_text, 'Echo: why');

    const collected = await openai.responses.create({ model: 'gpt-oss-20b:free', input: 'why', reasoning: { effort: 'low' } });
    assert.deepEqual(collected.output.map((item) => item.type), ['reasoning', 'message']);
  });

  test('text.format json_schema: response_format upstream, output_parsed from the SDK', async (t) => {
    const { proxy, openai } = await client(t);
    const schema = { type: 'object', properties: { echo: { type: 'string' } }, required: ['echo'], additionalProperties: false };
    const response = await openai.responses.parse({ model: 'gpt-4o', input: 'hi', text: { format: { type: 'json_schema', name: 'out', schema, strict: true } } });
    assert.deepEqual(response.output_parsed, { echo: 'hi' });
    assert.deepEqual(lastUpstreamChat(proxy).response_format, { type: 'json_schema', json_schema: { name: 'out', schema } });
  });

  test('the requested model fails before answering: the fallback answers, X-Proxy-Model says which', async (t) => {
    const { proxy, openai } = await client(t);
    proxy.fake.script('google/gemini-2.0-flash-exp:free', { kind: 'http', status: 500 });
    const { data, response } = await openai.responses.create({ model: 'gemini-2.0-flash-exp:free', input: 'hi', stream: true }).withResponse();
    let text = '';
    for await (const event of data) if (event.type === 'response.output_text.delta') text += event.delta;
    assert.equal(text, 'Echo: hi');
    assert.equal(response.headers.get('x-proxy-model'), 'openrouter/quasar-alpha');
    assert.equal(response.headers.get('x-proxy-attempts'), '2');
    assert.deepEqual(upstreamChats(proxy).map((chat) => chat.model), ['google/gemini-2.0-flash-exp:free', 'openrouter/quasar-alpha']);
    const ps = await (await proxy.fetch('/api/ps')).json() as { models: Array<{ name: string }> };
    assert.ok(ps.models.some((model) => model.name === 'gemini-2.0-flash-exp:free'));
  });

  test('non-stream: a failure anywhere in the first model\'s answer falls back, since nothing was sent yet', async (t) => {
    const { proxy, openai } = await client(t);
    proxy.fake.script('google/gemini-2.0-flash-exp:free', { kind: 'error-chunk', afterChunks: 2, code: 502, message: 'provider fell over' });
    const { data, response } = await openai.responses.create({ model: 'gemini-2.0-flash-exp:free', input: 'a b c d' }).withResponse();
    assert.equal(data.output_text, 'Echo: a b c d');
    assert.equal(response.headers.get('x-proxy-model'), 'openrouter/quasar-alpha');
  });

  test('a failure after the stream started is response.failed with the error', async (t) => {
    const { proxy, openai } = await client(t);
    proxy.fake.script('google/gemini-2.0-flash-exp:free', { kind: 'error-chunk', afterChunks: 2, code: 502, message: 'provider fell over' });
    const events = [];
    for await (const event of await openai.responses.create({ model: 'gemini-2.0-flash-exp:free', input: 'a b c d', stream: true })) events.push(event);
    const last = events.at(-1);
    assert.equal(last?.type, 'response.failed');
    assert.ok(last?.type === 'response.failed');
    assert.equal(last.response.status, 'failed');
    assert.equal(last.response.error?.code, 'server_error');
    assert.match(last.response.error?.message ?? '', /provider fell over/);
    assert.ok(events.every((event, index) => event.sequence_number === index));
  });

  test('previous_response_id and bad fields are 400s in OpenAI error shape', async (t) => {
    const { openai } = await client(t);
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ model: 'gpt-4o', input: 'hi', previous_response_id: 'resp_1' }, /this server is stateless; send the whole input/],
      [{ model: 'gpt-4o' }, /input is required/],
      [{ model: 'gpt-4o', input: [{ type: 'message', role: 'user', content: [{ type: 'input_file', file_id: 'f' }] }] }, /input\[0\]\.content\[0\]\.type/],
      [{ model: 'gpt-4o', input: 'hi', max_output_tokens: 0 }, /max_output_tokens/],
    ];
    for (const [body, message] of cases) {
      await assert.rejects(openai.responses.create(body as never), (error: InstanceType<typeof OpenAI.APIError>) => {
        assert.equal(error.status, 400);
        assert.equal(error.type, 'invalid_request_error');
        assert.match(error.message, message);
        return true;
      });
    }
  });
});
