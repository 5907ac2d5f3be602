// Session titles answered by the proxy, in each API's own shape, streamed and not, through the real
// SDK clients: no upstream request. Claude Code's title request is replayed as it sends it.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { Ollama } from 'ollama';
import OpenAI from 'openai';
import { getJson, modelsTried } from '../helpers/free-mode-helpers.ts';
import { APP_ORIGIN, startProxy, type Proxy } from '../helpers/harness.ts';

const TITLE_SCHEMA = { type: 'object', properties: { title: { type: 'string' } }, required: ['title'], additionalProperties: false } as const;
const SESSION = 'Refactor the SSE parser in sse-parser.ts';
const EXPECTED = { title: 'SSE parser in sse-parser.ts' };
const LOCAL = 'ollama-openrouter-proxy/local';

// What Claude Code 2.1.332 sends to name a session (its system prompt shortened).
const CLAUDE_CODE_TITLE = {
  model: 'claude-haiku-4-5-20251001',
  max_tokens: 128000,
  system: [{ type: 'text' as const, text: 'You are Claude Code. You are naming a coding session... Return JSON with a single "title" field.' }],
  messages: [{ role: 'user' as const, content: `<session>\n${SESSION}\n</session>\n\nWrite the title in the predominant language of the session.` }],
  output_config: { format: { type: 'json_schema', schema: TITLE_SCHEMA } },
};

/** A proxy and the three SDKs on it: through proxy.fetch, or over a socket when the node adapter's request line is asserted. */
async function proxyWithClients(t: TestContext, env: Record<string, string> = {}, socket = false) {
  const proxy = await startProxy(t, { env, socket });
  const origin = socket ? proxy.url : APP_ORIGIN;
  const fetch = socket ? {} : { fetch: proxy.fetch };
  return {
    proxy,
    anthropic: new Anthropic({ baseURL: origin, ...fetch, apiKey: 'any', maxRetries: 0 }),
    openai: new OpenAI({ baseURL: `${origin}/v1`, ...fetch, apiKey: 'any', maxRetries: 0 }),
    ollama: new Ollama({ host: origin, ...fetch }),
  };
}

const requestLines = (proxy: Proxy) => proxy.logs.map((line) => JSON.parse(line)).filter((entry) => entry.msg === 'request' && entry.method === 'POST');

test("Anthropic: Claude Code's title request is answered locally, as one message and as a stream", async (t) => {
  // A socket: the request lines asserted below are the node adapter's.
  const { proxy, anthropic } = await proxyWithClients(t, {}, true);
  // The SDK streams a 128,000-token ceiling only, as Claude Code does; the one-message form asks for less.
  const message = await anthropic.messages.create({ ...CLAUDE_CODE_TITLE, max_tokens: 1024 } as Anthropic.MessageCreateParamsNonStreaming);
  assert.equal(message.model, CLAUDE_CODE_TITLE.model);
  assert.equal(message.stop_reason, 'end_turn');
  assert.deepEqual(JSON.parse((message.content[0] as Anthropic.TextBlock).text), EXPECTED);
  const events: string[] = [];
  const stream = anthropic.messages.stream(CLAUDE_CODE_TITLE as Anthropic.MessageStreamParams);
  stream.on('streamEvent', (event) => events.push(event.type));
  const streamed = await stream.finalMessage();
  assert.deepEqual(JSON.parse((streamed.content[0] as Anthropic.TextBlock).text), EXPECTED);
  assert.deepEqual(events, ['message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
  assert.deepEqual(modelsTried(proxy), [], 'nothing went upstream');
  assert.deepEqual(requestLines(proxy).map((entry) => [entry.requested, entry.model, entry.attempts, entry.status]), [
    [CLAUDE_CODE_TITLE.model, LOCAL, 0, 200], [CLAUDE_CODE_TITLE.model, LOCAL, 0, 200],
  ]);
  assert.equal((await getJson(proxy, '/status')).body.saved_today.session_title, 2);
});

test('OpenAI chat: a {title} json_schema is answered locally, whole and streamed', async (t) => {
  const { proxy, openai } = await proxyWithClients(t);
  const body = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: SESSION }], response_format: { type: 'json_schema' as const, json_schema: { name: 'title', strict: true, schema: TITLE_SCHEMA } } };
  const completion = await openai.chat.completions.create(body);
  assert.equal(completion.object, 'chat.completion');
  assert.equal(completion.choices[0]?.finish_reason, 'stop');
  assert.deepEqual(JSON.parse(completion.choices[0]?.message.content ?? ''), EXPECTED);
  const streamed = await openai.chat.completions.stream(body).finalChatCompletion();
  assert.deepEqual(JSON.parse(streamed.choices[0]?.message.content ?? ''), EXPECTED);
  assert.deepEqual(modelsTried(proxy), []);
});

test('Responses: a {title} text.format is answered locally, whole and streamed', async (t) => {
  const { proxy, openai } = await proxyWithClients(t);
  const body = { model: 'gpt-4o-mini', input: SESSION, text: { format: { type: 'json_schema' as const, name: 'title', strict: true, schema: TITLE_SCHEMA } } };
  const parsed = await openai.responses.parse(body);
  assert.deepEqual(parsed.output_parsed, EXPECTED);
  assert.equal(parsed.status, 'completed');
  const streamed = await openai.responses.stream(body).finalResponse();
  assert.deepEqual(JSON.parse(streamed.output_text), EXPECTED);
  assert.deepEqual(modelsTried(proxy), []);
});

test('Ollama: a {title} format is answered locally, whole and streamed', async (t) => {
  const { proxy, ollama } = await proxyWithClients(t);
  const request = { model: 'llama3.2', messages: [{ role: 'user', content: SESSION }], format: TITLE_SCHEMA };
  const whole = await ollama.chat({ ...request, stream: false });
  assert.equal(whole.done, true);
  assert.deepEqual(JSON.parse(whole.message.content), EXPECTED);
  let text = '';
  let done = false;
  for await (const part of await ollama.chat({ ...request, stream: true })) {
    text += part.message.content;
    done ||= part.done;
  }
  assert.equal(done, true);
  assert.deepEqual(JSON.parse(text), EXPECTED);
  assert.deepEqual(modelsTried(proxy), []);
});

test('LOCAL_TITLES=false sends title requests upstream; so does a schema with more than a title', async (t) => {
  const { proxy, anthropic } = await proxyWithClients(t, { LOCAL_TITLES: 'false' });
  await anthropic.messages.stream(CLAUDE_CODE_TITLE as Anthropic.MessageStreamParams).finalMessage();
  assert.equal(modelsTried(proxy).length, 1);
  const on = await proxyWithClients(t);
  const wider = { ...CLAUDE_CODE_TITLE, output_config: { format: { type: 'json_schema', schema: { type: 'object', properties: { title: { type: 'string' }, tags: { type: 'array' } } } } } };
  await on.anthropic.messages.stream(wider as Anthropic.MessageStreamParams).finalMessage();
  assert.equal(modelsTried(on.proxy).length, 1);
});
