// The real `@anthropic-ai/sdk` against /v1/messages, routed over the offline OpenRouter exactly as /api/chat is.
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { lastUpstreamChat, PNG_BASE64 } from '../helpers/fidelity-helpers.ts';
import { FREE_CHAT_ORDER } from '../helpers/free-mode-helpers.ts';
import { APP_ORIGIN, startProxy, type Proxy } from '../helpers/harness.ts';

const WEATHER: Anthropic.Tool = {
  name: 'get_weather',
  description: 'Current weather for a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } }, required: ['city'] },
};

async function client(t: TestContext, env?: Record<string, string>, options: ConstructorParameters<typeof Anthropic>[0] = {}): Promise<{ proxy: Proxy; anthropic: Anthropic }> {
  const proxy = await startProxy(t, env ? { env } : {});
  return { proxy, anthropic: new Anthropic({ baseURL: APP_ORIGIN, fetch: proxy.fetch, apiKey: 'any-key-works', maxRetries: 0, ...options }) };
}

describe('anthropic sdk: messages', () => {
  test('messages.create: system and sampling fields go upstream (metadata does not); the answer names the requested model', async (t) => {
    const { proxy, anthropic } = await client(t);
    // This SDK's types no longer declare the sampling fields, but the API still takes them.
    const message = await anthropic.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 50,
      system: [{ type: 'text', text: 'be brief', cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: 'abc def' }],
      temperature: 0.2,
      top_p: 0.9,
      top_k: 40,
      stop_sequences: ['END'],
      metadata: { user_id: 'user-1' },
    } as Anthropic.MessageCreateParamsNonStreaming);
    assert.deepEqual(message.content, [{ type: 'text', text: 'Echo: abc def' }]);
    assert.equal(message.model, 'claude-haiku-4-5');
    assert.equal(message.stop_reason, 'end_turn');
    assert.equal(message.stop_sequence, null);
    assert.match(message.id, /^msg_/);
    assert.deepEqual(message.usage, { input_tokens: 4, output_tokens: 3 });
    const upstream = lastUpstreamChat(proxy);
    assert.deepEqual(upstream.messages, [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'abc def' }]);
    assert.deepEqual(
      { max_tokens: upstream.max_tokens, temperature: upstream.temperature, top_p: upstream.top_p, top_k: upstream.top_k, stop: upstream.stop, user: upstream.user },
      { max_tokens: 50, temperature: 0.2, top_p: 0.9, top_k: 40, stop: ['END'], user: undefined },
    );
    assert.equal(upstream.model, FREE_CHAT_ORDER[0]);
  });

  test('messages.stream: events in Anthropic order, text deltas, final message with usage', async (t) => {
    const { anthropic } = await client(t);
    const stream = anthropic.messages.stream({ model: 'claude-haiku-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'one two three' }] });
    const events: string[] = [];
    let text = '';
    stream.on('streamEvent', (event) => void events.push(event.type));
    stream.on('text', (delta) => void (text += delta));
    const final = await stream.finalMessage();
    assert.equal(text, 'Echo: one two three');
    assert.deepEqual(final.content, [{ type: 'text', text: 'Echo: one two three' }]);
    assert.equal(final.stop_reason, 'end_turn');
    assert.equal(final.model, 'claude-haiku-4-5');
    assert.deepEqual(final.usage.output_tokens, 4);
    assert.deepEqual(final.usage.input_tokens, 3);
    assert.deepEqual(
      [...new Set(events)],
      ['message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop'],
    );
    assert.equal(events[0], 'message_start');
    assert.deepEqual(events.slice(-3), ['content_block_stop', 'message_delta', 'message_stop']);
  });

  test('tools round trip: tool_use with an object input, then a tool_result answered as text', async (t) => {
    const { proxy, anthropic } = await client(t);
    const params = { model: 'claude-haiku-4-5', max_tokens: 200, tools: [WEATHER], tool_choice: { type: 'any' as const } };
    const first = await anthropic.messages.stream({ ...params, messages: [{ role: 'user', content: 'Paris' }] }).finalMessage();
    assert.equal(first.stop_reason, 'tool_use');
    const call = first.content.find((block) => block.type === 'tool_use');
    assert.ok(call !== undefined && call.type === 'tool_use');
    assert.equal(call.name, 'get_weather');
    assert.deepEqual(call.input, { city: 'Paris', days: 42 });
    const upstreamFirst = lastUpstreamChat(proxy);
    assert.equal(upstreamFirst.tool_choice, 'required');
    assert.deepEqual(upstreamFirst.tools, [{ type: 'function', function: { name: 'get_weather', description: WEATHER.description, parameters: WEATHER.input_schema } }]);

    const second = await anthropic.messages.create({
      ...params,
      tool_choice: { type: 'auto' },
      messages: [
        { role: 'user', content: 'Paris' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: [{ type: 'text', text: 'sunny, 21C' }] }] },
      ],
    });
    assert.deepEqual(second.content, [{ type: 'text', text: 'Tool result: sunny, 21C' }]);
    assert.equal(second.stop_reason, 'end_turn');
    const upstream = lastUpstreamChat(proxy).messages;
    assert.deepEqual(upstream[1], { role: 'assistant', content: null, tool_calls: [{ id: call.id, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris","days":42}' } }] });
    assert.deepEqual(upstream[2], { role: 'tool', tool_call_id: call.id, content: 'sunny, 21C' });
  });

  test('thinking: budget becomes reasoning, thinking blocks stream first and go back in history without failing', async (t) => {
    const { proxy, anthropic } = await client(t);
    const stream = anthropic.messages.stream({ model: 'any', max_tokens: 500, thinking: { type: 'enabled', budget_tokens: 200 }, messages: [{ role: 'user', content: 'why' }] });
    let thinking = '';
    stream.on('thinking', (delta) => void (thinking += delta));
    const final = await stream.finalMessage();
    assert.equal(thinking, 'Thinking about: why');
    assert.deepEqual(final.content.map((block) => block.type), ['thinking', 'text']);
    assert.deepEqual(lastUpstreamChat(proxy).reasoning, { max_tokens: 200 });

    const again = await anthropic.messages.create({
      model: 'any',
      max_tokens: 500,
      thinking: { type: 'adaptive' } as unknown as Anthropic.ThinkingConfigParam,
      messages: [
        { role: 'user', content: 'why' },
        { role: 'assistant', content: [{ type: 'thinking', thinking: 'hmm', signature: 'sig' }, { type: 'redacted_thinking', data: 'xyz' }, { type: 'text', text: 'because' }] },
        { role: 'user', content: 'ok' },
      ],
    });
    assert.equal(again.content[0]?.type, 'thinking');
    const upstream = lastUpstreamChat(proxy);
    assert.deepEqual(upstream.reasoning, { enabled: true });
    assert.deepEqual(upstream.messages[1], { role: 'assistant', content: 'because', reasoning: 'hmm' });
  });

  test('images: base64 and url sources become image_url parts and route to a vision model', async (t) => {
    const { proxy, anthropic } = await client(t);
    const message = await anthropic.messages.create({
      model: 'any',
      max_tokens: 50,
      messages: [{
        role: 'user',
        content: [
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_BASE64 } },
          { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
          { type: 'text', text: 'what is this' },
        ],
      }],
    });
    assert.equal(message.content[0]?.type, 'text');
    const upstream = lastUpstreamChat(proxy);
    assert.deepEqual(upstream.messages[0].content, [
      { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_BASE64}` } },
      { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
      { type: 'text', text: 'what is this' },
    ]);
    const model = proxy.app.router.visibleModels().find((m) => m.id === upstream.model);
    assert.equal(model?.capabilities.vision, true);
  });

  test('count_tokens: an estimate from the converted request', async (t) => {
    const { anthropic } = await client(t);
    const counted = await anthropic.messages.countTokens({ model: 'any', system: 'abcd', messages: [{ role: 'user', content: 'abcdefgh' }] });
    // 12 characters / 4 + 3 per message × 2 messages.
    assert.deepEqual(counted, { input_tokens: 9 });
  });

  test('models.list: Anthropic list shape, auto-paginated over the visible chat models', async (t) => {
    const { proxy, anthropic } = await client(t);
    const ids: string[] = [];
    for await (const model of anthropic.models.list({ limit: 3 })) {
      assert.equal(model.type, 'model');
      assert.match(model.created_at, /^\d{4}-\d{2}-\d{2}T/);
      assert.equal(typeof model.display_name, 'string');
      ids.push(model.id);
    }
    assert.deepEqual(ids, proxy.app.router.visibleModels().filter((model) => !model.capabilities.embedding).map((model) => model.name));
    const one = await anthropic.models.retrieve(ids[0] ?? '');
    assert.equal(one.id, ids[0]);
  });
});

describe('anthropic sdk: errors and routing', () => {
  test('a bad request is invalid_request_error (400) naming the field', async (t) => {
    const { anthropic } = await client(t);
    await assert.rejects(
      anthropic.messages.create({ model: 'any', max_tokens: 0, messages: [{ role: 'user', content: 'hi' }] }),
      (error: unknown) => error instanceof Anthropic.BadRequestError && error.status === 400 && /max_tokens/.test(error.message) && (error.error as { error: { type: string } }).error.type === 'invalid_request_error',
    );
  });

  test('x-api-key is accepted as the proxy key; a wrong key is authentication_error', async (t) => {
    const { proxy, anthropic } = await client(t, { PROXY_API_KEY: 'secret-proxy-key' }, { apiKey: 'secret-proxy-key' });
    const ok = await anthropic.messages.create({ model: 'any', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(ok.content[0]?.type, 'text');
    const bearer = new Anthropic({ baseURL: APP_ORIGIN, fetch: proxy.fetch, apiKey: null, authToken: 'secret-proxy-key', maxRetries: 0 });
    assert.equal((await bearer.messages.create({ model: 'any', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] })).role, 'assistant');
    const wrong = new Anthropic({ baseURL: APP_ORIGIN, fetch: proxy.fetch, apiKey: 'nope', maxRetries: 0 });
    await assert.rejects(wrong.messages.create({ model: 'any', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] }), Anthropic.AuthenticationError);
    await assert.rejects(wrong.models.list(), Anthropic.AuthenticationError);
  });

  test('the first model fails before streaming: the answer comes from the fallback, and /api/ps shows the requested name', async (t) => {
    const { proxy, anthropic } = await client(t);
    const [first, second] = FREE_CHAT_ORDER;
    proxy.fake.script(first ?? '', { kind: 'http', status: 502 });
    const { data, response } = await anthropic.messages.stream({ model: 'any', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    assert.equal(response.headers.get('x-proxy-model'), second);
    assert.equal(response.headers.get('x-proxy-attempts'), '2');
    const final = await data.finalMessage();
    assert.deepEqual(final.content, [{ type: 'text', text: 'Echo: hi' }]);
    const ps = (await (await proxy.fetch('/api/ps')).json()) as { models: Array<{ name: string }> };
    assert.deepEqual(ps.models.map((model) => model.name), ['any:latest']);
  });

  test('a failure after the stream started arrives as event: error, which the SDK raises', async (t) => {
    const { proxy, anthropic } = await client(t);
    proxy.fake.script('*', { kind: 'error-chunk', afterChunks: 1, code: 502, message: 'worker crashed' });
    const stream = anthropic.messages.stream({ model: 'any', max_tokens: 50, messages: [{ role: 'user', content: 'one two three' }] });
    await assert.rejects(stream.finalMessage(), (error: unknown) => error instanceof Anthropic.APIError && /worker crashed/.test(error.message));
  });

  test('rate limits are rate_limit_error (429) with retry-after', async (t) => {
    const { proxy, anthropic } = await client(t, { FREE_MODE: 'false' });
    proxy.fake.script('*', { kind: 'rate-limit', scope: 'per-day' });
    await assert.rejects(
      anthropic.messages.create({ model: 'gpt-4o', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] }),
      (error: unknown) => error instanceof Anthropic.RateLimitError && (error.error as { error: { type: string } }).error.type === 'rate_limit_error' && error.headers?.get('retry-after') !== null,
    );
  });
});
