// The `openai` npm client (6.x) against /v1: same routing as /api/chat, fields kept both ways.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { embeddingVector } from '../../src/fake-openrouter/embeddings.ts';
import { APP_ORIGIN, startProxy, type Proxy } from '../helpers/harness.ts';
import { FREE_MODEL_NAMES, lastUpstreamChat, lastUpstreamEmbedding, WEATHER_TOOL } from '../helpers/fidelity-helpers.ts';
import { FREE_EMBEDDER } from '../helpers/free-mode-helpers.ts';

const TOOL = WEATHER_TOOL as ChatCompletionTool;

async function client(t: Parameters<typeof startProxy>[0], env?: Record<string, string>): Promise<{ proxy: Proxy; openai: OpenAI }> {
  const proxy = await startProxy(t, env ? { env } : {});
  return { proxy, openai: new OpenAI({ baseURL: `${APP_ORIGIN}/v1`, fetch: proxy.fetch, apiKey: 'any-key-works', maxRetries: 0 }) };
}

describe('openai client: chat completions', () => {
  test('non-streamed: every request field goes upstream, OpenRouter fields come back', async (t) => {
    const { proxy, openai } = await client(t);
    const request = {
      model: 'gpt-4o',
      messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'abc def' }] as ChatCompletionMessageParam[],
      temperature: 0.2,
      top_p: 0.9,
      max_tokens: 50,
      stop: ['END'],
      seed: 7,
      presence_penalty: 0.1,
      frequency_penalty: 0.3,
      user: 'user-1',
      // OpenRouter-only fields pass through untouched.
      top_k: 40,
      provider: { sort: 'throughput' },
    };
    const completion = await openai.chat.completions.create(request as OpenAI.ChatCompletionCreateParamsNonStreaming);
    assert.equal(completion.object, 'chat.completion');
    assert.deepEqual(completion.choices[0]?.message.content, 'Echo: abc def');
    assert.equal(completion.choices[0]?.finish_reason, 'stop');
    assert.deepEqual(
      { prompt: completion.usage?.prompt_tokens, completion: completion.usage?.completion_tokens, total: completion.usage?.total_tokens },
      { prompt: 4, completion: 3, total: 7 },
    );
    // Free mode routes a paid name to a free model, exactly as /api/chat does.
    const upstream = lastUpstreamChat(proxy);
    assert.deepEqual(upstream, { ...request, model: 'google/gemini-2.0-flash-exp:free', stream: false });
    assert.equal((completion as unknown as { provider: string }).provider, 'Google AI Studio');
  });

  test('streamed: role first, content deltas, finish reason, usage, [DONE]', async (t) => {
    const { proxy, openai } = await client(t);
    const stream = await openai.chat.completions.create({
      model: 'llama-3.3-70b-instruct:free',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'one two' }],
    });
    let text = '';
    const finishes: string[] = [];
    let usage: OpenAI.CompletionUsage | undefined;
    let firstRole: string | undefined;
    for await (const chunk of stream) {
      firstRole ??= chunk.choices[0]?.delta.role;
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.choices[0]?.finish_reason) finishes.push(chunk.choices[0].finish_reason);
      usage = chunk.usage ?? usage;
    }
    assert.equal(firstRole, 'assistant');
    assert.equal(text, 'Echo: one two');
    assert.deepEqual(finishes, ['stop']);
    assert.equal(usage?.completion_tokens, 3);
    assert.deepEqual(lastUpstreamChat(proxy).stream_options, { include_usage: true });
    assert.equal(lastUpstreamChat(proxy).model, 'meta-llama/llama-3.3-70b-instruct:free');
  });

  test('tools round trip: string arguments, tool_calls finish, result paired by tool_call_id', async (t) => {
    const { proxy, openai } = await client(t);
    const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Oslo' }];
    const first = await openai.chat.completions.create({ model: 'qwen3-coder:free', messages, tools: [TOOL] });
    const choice = first.choices[0];
    assert.equal(choice?.finish_reason, 'tool_calls');
    const call = choice?.message.tool_calls?.[0] as OpenAI.ChatCompletionMessageFunctionToolCall;
    assert.equal(call.type, 'function');
    assert.deepEqual(call.function, { name: 'get_weather', arguments: '{"city":"Oslo","days":42}' });
    assert.deepEqual(lastUpstreamChat(proxy).tools, [WEATHER_TOOL]);

    messages.push(choice?.message as ChatCompletionMessageParam, { role: 'tool', tool_call_id: call.id, content: '-3 degrees' });
    const second = await openai.chat.completions.create({ model: 'qwen3-coder:free', messages, tools: [TOOL] });
    assert.equal(second.choices[0]?.message.content, 'Tool result: -3 degrees');
    const sent = lastUpstreamChat(proxy).messages;
    assert.equal(sent[1].tool_calls[0].id, call.id);
    assert.deepEqual(sent[2], { role: 'tool', tool_call_id: call.id, content: '-3 degrees' });
  });

  test('tools, streamed: the SDK assembles the relayed fragments into whole calls', async (t) => {
    const { openai } = await client(t);
    const runner = openai.chat.completions.stream({ model: 'qwen3-coder:free', messages: [{ role: 'user', content: 'Rome' }], tools: [TOOL] });
    const final = await runner.finalChatCompletion();
    const call = final.choices[0]?.message.tool_calls?.[0] as OpenAI.ChatCompletionMessageFunctionToolCall;
    assert.match(call.id, /^call_[A-Za-z0-9]{24}$/);
    assert.deepEqual(call.function, { name: 'get_weather', arguments: '{"city":"Rome","days":42}' });
    assert.equal(final.choices[0]?.finish_reason, 'tool_calls');
  });

  test('response_format: json_object and json_schema', async (t) => {
    const { proxy, openai } = await client(t);
    const json = await openai.chat.completions.create({ model: 'llama3.2', response_format: { type: 'json_object' }, messages: [{ role: 'user', content: 'data' }] });
    assert.deepEqual(JSON.parse(json.choices[0]?.message.content ?? ''), { echo: 'data' });
    const format = { type: 'json_schema', json_schema: { name: 'out', strict: true, schema: { type: 'object', properties: { echo: { type: 'string' } } } } } as const;
    const typed = await openai.chat.completions.create({ model: 'llama3.2', response_format: format, messages: [{ role: 'user', content: 'data' }] });
    assert.deepEqual(JSON.parse(typed.choices[0]?.message.content ?? ''), { echo: 'data' });
    assert.deepEqual(lastUpstreamChat(proxy).response_format, format);
  });

  test('errors come back in OpenAI\'s shape, as the SDK\'s typed errors', async (t) => {
    const { openai } = await client(t);
    await assert.rejects(openai.chat.completions.create({ model: 'x', messages: [] }), (error: unknown) => {
      assert.ok(error instanceof OpenAI.BadRequestError);
      assert.equal(error.message, "400 [] is too short - 'messages'");
      assert.equal(error.type, 'invalid_request_error');
      return true;
    });
  });
});

describe('openai client: models, embeddings, legacy completions', () => {
  test('models list the /api/tags names; retrieve by name or OpenRouter id; unknown is a 404', async (t) => {
    const { openai } = await client(t);
    const models = [];
    for await (const model of openai.models.list()) models.push(model);
    assert.deepEqual(models.map((model) => model.id), FREE_MODEL_NAMES);
    assert.deepEqual(models[4], { id: 'gpt-oss-20b:free', object: 'model', created: 1754414229, owned_by: 'openai' });
    assert.deepEqual(await openai.models.retrieve('gpt-oss-20b:free'), models[4]);
    assert.equal((await openai.models.retrieve('openai/gpt-oss-20b:free')).id, 'openai/gpt-oss-20b:free');
    await assert.rejects(openai.models.retrieve('missing-model'), (error: unknown) => {
      assert.ok(error instanceof OpenAI.NotFoundError);
      assert.equal(error.type, 'not_found_error');
      assert.equal(error.message, "404 model 'missing-model' not found");
      return true;
    });
  });

  test('embeddings in free mode, through the free embedding model: the SDK\'s default base64 and explicit floats', async (t) => {
    const { proxy, openai } = await client(t);
    const asFloat32 = (vector: number[]) => Array.from(Float32Array.from(vector));
    const { data: byDefault, response } = await openai.embeddings.create({ model: 'text-embedding-3-small', input: ['alpha', 'beta gamma'] }).withResponse();
    assert.equal(response.headers.get('x-proxy-model'), FREE_EMBEDDER);
    assert.deepEqual(byDefault.data.map((item) => item.embedding), [asFloat32(embeddingVector('alpha')), asFloat32(embeddingVector('beta gamma'))]);
    assert.deepEqual(byDefault.usage, { prompt_tokens: 3, total_tokens: 3 });
    assert.equal(byDefault.model, 'text-embedding-3-small', 'the name asked for comes back');
    assert.deepEqual(lastUpstreamEmbedding(proxy), { model: FREE_EMBEDDER, input: ['alpha', 'beta gamma'] });

    const floats = await openai.embeddings.create({ model: 'llama-nemotron-embed-vl-1b-v2:free', input: 'alpha', encoding_format: 'float' });
    assert.deepEqual(floats.data, [{ object: 'embedding', embedding: embeddingVector('alpha'), index: 0 }]);
    assert.deepEqual(lastUpstreamEmbedding(proxy), { model: FREE_EMBEDDER, input: ['alpha'] });
  });

  test('legacy completions, streamed and not', async (t) => {
    const { proxy, openai } = await client(t);
    const completion = await openai.completions.create({ model: 'llama3.2', prompt: 'say this', max_tokens: 10 });
    assert.equal(completion.object, 'text_completion');
    assert.equal(completion.choices[0]?.text, 'Echo: say this');
    assert.deepEqual(lastUpstreamChat(proxy).messages, [{ role: 'user', content: 'say this' }]);
    assert.equal(lastUpstreamChat(proxy).max_tokens, 10);
    let text = '';
    for await (const chunk of await openai.completions.create({ model: 'llama3.2', prompt: 'a b', stream: true })) text += chunk.choices[0]?.text ?? '';
    assert.equal(text, 'Echo: a b');
  });
});
