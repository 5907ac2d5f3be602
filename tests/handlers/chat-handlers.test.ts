// Chat endpoints without a socket: the app's `handle` over the client API records, a request in and
// a Reply out, with a stand-in core that answers from a recorded OpenRouter stream. Routing and the
// socket are tested elsewhere.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { CatalogModel } from '../../src/catalog/model-info.ts';
import type { ChatCore, ChatRoute } from '../../src/core/routed-chat.ts';
import { CLIENT_APIS } from '../../src/dialects/client-apis.ts';
import { createHandle } from '../../src/http/handle.ts';
import { createUrlRouter, type Reply } from '../../src/http/url-router.ts';
import { silentLogger } from '../../src/logger.ts';
import { apiRoutes, errorReplier } from '../../src/serving/client-api.ts';
import type { HandlerContext } from '../../src/serving/context.ts';
import { createRecentModels } from '../../src/store/recent-models.ts';
import { stageStream } from '../../src/streams/stage.ts';
import { answerEvents, collectAnswerOf, encodeChunks, frozen } from '../helpers/dialect-fixtures.ts';

const model = { id: 'openai/gpt-4o', name: 'gpt-4o' } as CatalogModel;
const sse = readFileSync(new URL('../fixtures/openrouter/content-multibyte.sse', import.meta.url));

/** A core that always commits to `model` after `attempts` tries and answers from the fixture; it records the routes it was given. */
function standInCore(routes: ChatRoute[], attempts = 2): ChatCore {
  const routed = <T>(value: T) => ({ value, model, attempts, timing: frozen.timing });
  return {
    async stream(route) {
      routes.push(route);
      const events = await answerEvents([sse]);
      return routed({ reply: (encoder) => ReadableStream.from(events).pipeThrough(stageStream(encoder)), cancel: async () => {} });
    },
    async collect(route) {
      routes.push(route);
      const answer = await collectAnswerOf(sse);
      assert.ok(!('error' in answer));
      return routed(answer);
    },
    async complete(route) {
      routes.push(route);
      return routed({ id: 'gen-1', choices: [{ index: 0, message: { role: 'assistant', content: 'whole' }, finish_reason: 'stop' }] });
    },
    embeddings: () => Promise.reject(new Error('not used')),
    answerLocally: () => {
      throw new Error('not used');
    },
  };
}

function setUp() {
  const routes: ChatRoute[] = [];
  const context = {
    config: { freeMode: true },
    core: standInCore(routes),
    logger: silentLogger,
    clock: frozen.clock,
    recent: createRecentModels(frozen.clock.wall),
  } as unknown as HandlerContext;
  const handle = createHandle({ route: createUrlRouter(apiRoutes(CLIENT_APIS, context)), logger: silentLogger, proxyApiKey: undefined, corsOrigins: [], checkHost: false, errorReply: errorReplier(CLIENT_APIS) });
  const post = (path: string, body: unknown): Promise<Reply> =>
    handle({ method: 'POST', target: path, headers: {}, readBody: async () => new TextEncoder().encode(JSON.stringify(body)), signal: new AbortController().signal });
  return { context, routes, post };
}

async function streamText(reply: Reply): Promise<string> {
  assert.ok('stream' in reply);
  const decoder = new TextDecoder();
  let text = '';
  for await (const bytes of reply.stream) text += decoder.decode(bytes, { stream: true });
  return text;
}

test('/api/chat streams NDJSON lines, names the answering model, and lists it in /api/ps', async () => {
  const { context, routes, post } = setUp();
  const reply = await post('/api/chat', { model: 'my-model', messages: [{ role: 'user', content: 'hi' }], keep_alive: '10m' });
  assert.ok('stream' in reply);
  assert.equal(reply.contentType, 'application/x-ndjson');
  assert.deepEqual(reply.headers, { 'X-Proxy-Model': 'openai/gpt-4o', 'X-Proxy-Attempts': '2' });
  const lines = (await streamText(reply)).trimEnd().split('\n').map((line) => JSON.parse(line));
  assert.equal(lines.map((line) => line.message.content).join(''), 'Grüße aus 東京 🚀!');
  assert.equal(lines.at(-1).done, true);
  assert.equal(routes[0]?.requestedModel, 'my-model');
  assert.equal(routes[0]?.toUpstream(model).model, 'openai/gpt-4o', 'the upstream request names the chosen model');
  const [listed] = context.recent.list(frozen.clock.wall());
  assert.deepEqual([listed?.name, listed?.expiresAt], ['my-model:latest', frozen.clock.wall() + 10 * 60_000], 'keep_alive is honoured');
});

test('/api/generate with stream:false answers one object built from the collected answer', async () => {
  const { post } = setUp();
  const reply = await post('/api/generate', { model: 'm', prompt: 'hi', stream: false });
  assert.ok('json' in reply);
  const json = reply.json as Record<string, unknown>;
  assert.deepEqual([json.response, json.done, json.done_reason, json.eval_count], ['Grüße aus 東京 🚀!', true, 'stop', 4]);
});

test('/api/chat with no messages is a load: nothing is routed', async () => {
  const { context, routes, post } = setUp();
  (context as { router: unknown }).router = { findVisible: () => model };
  const reply = await post('/api/chat', { model: 'gpt-4o' });
  assert.ok('json' in reply);
  assert.equal((reply.json as { done_reason: string }).done_reason, 'load');
  assert.equal(routes.length, 0);
});

test('/v1/chat/completions relays the stream as SSE and the whole completion untouched', async () => {
  const { post } = setUp();
  const streamed = await post('/v1/chat/completions', { model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true });
  assert.ok('stream' in streamed);
  assert.equal(streamed.contentType, 'text/event-stream; charset=utf-8');
  const text = await streamText(streamed);
  assert.equal(text, await encodeChunks([sse], { transform: (events, sink) => { for (const event of events) if (event.type === 'raw') sink.enqueue(new TextEncoder().encode(`data: ${event.data}\n\n`)); }, flush: (sink) => sink.enqueue(new TextEncoder().encode('data: [DONE]\n\n')) }));
  const whole = await post('/v1/chat/completions', { model: 'm', messages: [{ role: 'user', content: 'hi' }] });
  assert.ok('json' in whole);
  assert.equal((whole.json as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content, 'whole');
});

test('bad input is refused before anything is routed', async () => {
  const { routes, post } = setUp();
  const ollama = await post('/api/chat', { messages: [] });
  assert.deepEqual([ollama.status, 'json' in ollama && (ollama.json as { error: string }).error], [400, 'model is required']);
  const openai = await post('/v1/chat/completions', { model: 'm', messages: [] });
  assert.equal(openai.status, 400);
  assert.equal('json' in openai && (openai.json as { error: { type: string } }).error.type, 'invalid_request_error', 'in OpenAI\'s shape');
  assert.equal(routes.length, 0);
});
