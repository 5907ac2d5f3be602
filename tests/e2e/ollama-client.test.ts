// The `ollama` npm client (ollama-js 0.6.4) end to end for inference: chat and generate, proxy in front of
// the offline OpenRouter. Every answer is checked for its values, and the upstream request for what was sent.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ChatResponse, GenerateResponse, Message } from 'ollama';
import { collect, JPEG_BASE64, lastUpstreamChat, ollamaClient as client, PNG_BASE64, PNG_BYTES, WEATHER_TOOL } from '../helpers/fidelity-helpers.ts';

const METRICS = ['total_duration', 'load_duration', 'prompt_eval_count', 'prompt_eval_duration', 'eval_count', 'eval_duration'] as const;

function assertFinalMetrics(line: ChatResponse | GenerateResponse, expected: { prompt: number; eval: number }): void {
  for (const key of METRICS) assert.ok(Number.isInteger(line[key]) && line[key] > 0, `${key} is a positive integer`);
  assert.equal(line.prompt_eval_count, expected.prompt);
  assert.equal(line.eval_count, expected.eval);
}

describe('ollama client: chat', () => {
  test('non-streamed: full content, final fields, the name echoed as sent', async (t) => {
    const { proxy, ollama } = await client(t);
    const reply = await ollama.chat({ model: 'llama3.2', messages: [{ role: 'user', content: 'hi there' }] });
    assert.equal(reply.model, 'llama3.2');
    assert.deepEqual(reply.message, { role: 'assistant', content: 'Echo: hi there' });
    assert.equal(reply.done, true);
    assert.equal(reply.done_reason, 'stop');
    assertFinalMetrics(reply, { prompt: 2, eval: 3 });
    // Free mode: an unknown name is served by the free model with the largest context.
    assert.equal(lastUpstreamChat(proxy).model, 'google/gemini-2.0-flash-exp:free');
  });

  test('streamed: one line per upstream piece, metrics only on the final line', async (t) => {
    const { ollama } = await client(t);
    const parts = await collect(await ollama.chat({ model: 'llama-3.3-70b-instruct:free', stream: true, messages: [{ role: 'user', content: 'one two' }] }));
    assert.deepEqual(parts.map((part) => part.message.content), ['Echo:', ' one', ' two', '']);
    for (const part of parts.slice(0, -1)) {
      assert.equal(part.done, false);
      for (const key of METRICS) assert.equal(key in part, false, `${key} only on the final line`);
    }
    const final = parts.at(-1) as ChatResponse;
    assert.equal(final.done_reason, 'stop');
    assertFinalMetrics(final, { prompt: 2, eval: 3 });
  });

  test('num_predict cuts the answer with done_reason "length"', async (t) => {
    const { proxy, ollama } = await client(t);
    const reply = await ollama.chat({ model: 'llama3.2', messages: [{ role: 'user', content: 'a b c d' }], options: { num_predict: 2 } });
    assert.equal(reply.message.content, 'Echo: a');
    assert.equal(reply.done_reason, 'length');
    assert.equal(lastUpstreamChat(proxy).max_tokens, 2);
  });

  test('tools: a complete call with object arguments, then the result goes back paired with it', async (t) => {
    const { proxy, ollama } = await client(t);
    const question: Message = { role: 'user', content: 'Tokyo' };
    const first = await ollama.chat({ model: 'qwen3-coder:free', messages: [question], tools: [WEATHER_TOOL] });
    assert.equal(first.message.content, '');
    assert.equal(first.done_reason, 'stop');
    const [call] = first.message.tool_calls as Array<{ id: string; function: { index: number; name: string; arguments: object } }>;
    assert.match(call?.id ?? '', /^call_[A-Za-z0-9]{24}$/);
    assert.deepEqual(call?.function, { index: 0, name: 'get_weather', arguments: { city: 'Tokyo', days: 42 } });
    assert.deepEqual(lastUpstreamChat(proxy).tools, [WEATHER_TOOL]);

    const second = await ollama.chat({
      model: 'qwen3-coder:free',
      messages: [question, first.message, { role: 'tool', content: '11 degrees', tool_name: 'get_weather' }],
      tools: [WEATHER_TOOL],
    });
    assert.equal(second.message.content, 'Tool result: 11 degrees');
    assert.deepEqual(lastUpstreamChat(proxy).messages, [
      { role: 'user', content: 'Tokyo' },
      { role: 'assistant', content: null, tool_calls: [{ id: call?.id, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Tokyo","days":42}' } }] },
      { role: 'tool', content: '11 degrees', tool_call_id: call?.id },
    ]);
  });

  test('tools, streamed: fragments are assembled into one line with every call whole', async (t) => {
    const second = { ...WEATHER_TOOL, function: { ...WEATHER_TOOL.function, name: 'get_time', parameters: { type: 'object', properties: { zone: { type: 'string' } } } } };
    const { ollama } = await client(t);
    const parts = await collect(await ollama.chat({ model: 'qwen3-coder:free', stream: true, messages: [{ role: 'user', content: 'Paris [tools=2]' }], tools: [WEATHER_TOOL, second] }));
    const withCalls = parts.filter((part) => part.message.tool_calls !== undefined);
    assert.equal(withCalls.length, 1);
    assert.equal(withCalls[0]?.message.content, '');
    assert.deepEqual(withCalls[0]?.message.tool_calls?.map((call) => call.function), [
      { index: 0, name: 'get_weather', arguments: { city: 'Paris [tools=2]', days: 42 } },
      { index: 1, name: 'get_time', arguments: { zone: 'Paris [tools=2]' } },
    ]);
    assert.equal(parts.at(-1)?.done_reason, 'stop');
  });

  test('thinking: reasoning arrives as message.thinking, apart from content', async (t) => {
    const { proxy, ollama } = await client(t);
    const parts = await collect(await ollama.chat({ model: 'gpt-oss-20b:free', stream: true, think: 'high', messages: [{ role: 'user', content: 'why blue' }] }));
    assert.equal(parts.map((part) => part.message.thinking ?? '').join(''), 'Thinking about: why blue');
    assert.equal(parts.map((part) => part.message.content).join(''), 'Echo: why blue');
    for (const part of parts.filter((p) => p.message.thinking)) assert.equal(part.message.content, '');
    assert.deepEqual(lastUpstreamChat(proxy).reasoning, { effort: 'high' });

    const whole = await ollama.chat({ model: 'gpt-oss-20b:free', think: true, messages: [{ role: 'user', content: 'why blue' }] });
    assert.deepEqual(whole.message, { role: 'assistant', content: 'Echo: why blue', thinking: 'Thinking about: why blue' });
    assert.deepEqual(lastUpstreamChat(proxy).reasoning, { enabled: true });

    const quiet = await ollama.chat({ model: 'gpt-oss-20b:free', think: false, messages: [{ role: 'user', content: 'why blue' }] });
    assert.deepEqual(quiet.message, { role: 'assistant', content: 'Echo: why blue' });
    assert.deepEqual(lastUpstreamChat(proxy).reasoning, { enabled: false });
  });

  test('format: "json" and a JSON schema', async (t) => {
    const { proxy, ollama } = await client(t);
    const json = await ollama.chat({ model: 'llama3.2', format: 'json', messages: [{ role: 'user', content: 'list' }] });
    assert.deepEqual(JSON.parse(json.message.content), { echo: 'list' });
    assert.deepEqual(lastUpstreamChat(proxy).response_format, { type: 'json_object' });

    const schema = { type: 'object', properties: { echo: { type: 'string' } }, required: ['echo'] };
    const typed = await ollama.chat({ model: 'llama3.2', format: schema, messages: [{ role: 'user', content: 'list' }] });
    assert.deepEqual(JSON.parse(typed.message.content), { echo: 'list' });
    assert.deepEqual(lastUpstreamChat(proxy).response_format, { type: 'json_schema', json_schema: { name: 'response', schema } });
  });

  test('images: bytes become a data URL with the sniffed type, and a vision model answers', async (t) => {
    const { proxy, ollama } = await client(t);
    const reply = await ollama.chat({ model: 'llama3.2', messages: [{ role: 'user', content: 'what is this?', images: [PNG_BYTES] }] });
    assert.equal(reply.message.content, 'Echo: what is this?');
    const upstream = lastUpstreamChat(proxy);
    assert.equal(upstream.model, 'google/gemini-2.0-flash-exp:free');
    assert.deepEqual(upstream.messages, [{
      role: 'user',
      content: [{ type: 'text', text: 'what is this?' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_BASE64}` } }],
    }]);
  });

  test('clear errors: unknown think value, malformed tool arguments in history', async (t) => {
    const { ollama } = await client(t);
    await assert.rejects(
      ollama.chat({ model: 'llama3.2', think: 'extreme' as never, messages: [{ role: 'user', content: 'x' }] }),
      { name: 'ResponseError', status_code: 400, error: 'invalid think value: "extreme"' },
    );
    const broken = { role: 'assistant', content: '', tool_calls: [{ function: { name: 'f', arguments: '{"a":' as never } }] };
    await assert.rejects(
      ollama.chat({ model: 'llama3.2', messages: [{ role: 'user', content: 'x' }, broken] }),
      { name: 'ResponseError', status_code: 400, error: 'messages[1].tool_calls[0].function.arguments is not valid JSON' },
    );
  });
});

describe('ollama client: generate', () => {
  test('streamed with a system prompt; response chunks, then done_reason and metrics', async (t) => {
    const { proxy, ollama } = await client(t);
    const parts = await collect(await ollama.generate({ model: 'llama3.2', stream: true, prompt: 'sky color', system: 'be brief' }));
    assert.deepEqual(parts.map((part) => part.response), ['Echo:', ' sky', ' color', '']);
    const final = parts.at(-1) as GenerateResponse;
    assert.equal(final.done, true);
    assert.equal(final.done_reason, 'stop');
    assertFinalMetrics(final, { prompt: 4, eval: 3 });
    assert.deepEqual(lastUpstreamChat(proxy).messages, [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'sky color' }]);
  });

  test('non-streamed with think and an image: thinking and response apart', async (t) => {
    const { proxy, ollama } = await client(t);
    const reply = await ollama.generate({ model: 'gpt-oss-20b:free', prompt: 'why', think: true });
    assert.equal(reply.response, 'Echo: why');
    assert.equal(reply.thinking, 'Thinking about: why');
    assert.equal(reply.done_reason, 'stop');

    const seen = await ollama.generate({ model: 'llama3.2', prompt: 'describe', images: [JPEG_BASE64] });
    assert.equal(seen.response, 'Echo: describe');
    assert.deepEqual(lastUpstreamChat(proxy).messages, [{
      role: 'user',
      content: [{ type: 'text', text: 'describe' }, { type: 'image_url', image_url: { url: `data:image/jpeg;base64,${JPEG_BASE64}` } }],
    }]);
  });
});

