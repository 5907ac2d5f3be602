import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { generateCatalog, startFakeOpenRouter } from '../../src/fake-openrouter/server.ts';
import type { FakeOpenRouter, FakeOpenRouterOptions } from '../../src/fake-openrouter/server.ts';

const AUTH = { Authorization: 'Bearer sk-or-v1-test0000000000000000', 'Content-Type': 'application/json' };
const GEN_ID = /^gen-\d{10}-[A-Za-z0-9]{20}$/;
const TOOL = {
  type: 'function',
  function: {
    name: 'lookup',
    parameters: { type: 'object', properties: { q: { type: 'string' }, n: { type: 'integer' }, b: { type: 'boolean' }, o: { type: 'object' } } },
  },
};

type Json = Record<string, any>;

async function startFake(t: TestContext, options: FakeOpenRouterOptions = {}): Promise<FakeOpenRouter> {
  const fake = await startFakeOpenRouter({ port: 0, ...options });
  t.after(() => fake.close());
  return fake;
}

function chat(fake: FakeOpenRouter, body: Json, init: RequestInit = {}): Promise<Response> {
  return fetch(`${fake.url}/chat/completions`, { method: 'POST', headers: AUTH, body: JSON.stringify(body), ...init });
}

function userSays(text: string, extra: Json = {}): Json {
  return { model: 'openai/gpt-4o', messages: [{ role: 'user', content: text }], ...extra };
}

// Splits an SSE body into its blocks: comments stay as text, data events are parsed when they are JSON.
function sseBlocks(text: string): Array<{ comment?: string; data?: string; json?: Json }> {
  assert.ok(!text.includes('\r'), 'LF line endings only');
  return text.split('\n\n').filter((b) => b !== '').map((block) => {
    if (block.startsWith(':')) return { comment: block };
    assert.ok(block.startsWith('data: '), `unexpected block ${block}`);
    const data = block.slice(6);
    try {
      return { data, json: JSON.parse(data) as Json };
    } catch {
      return { data };
    }
  });
}

function chunks(text: string): Json[] {
  return sseBlocks(text).flatMap((b) => (b.json === undefined ? [] : [b.json]));
}

test('GET /models filters by output_modalities and supported_parameters', async (t) => {
  const fake = await startFake(t);
  const list = async (query: string) => (await (await fetch(`${fake.url}/models${query}`)).json()) as Json;
  const text = await list('');
  const ids = text['data'].map((m: Json) => m['id']);
  assert.ok(ids.includes('meta-llama/llama-3.3-70b-instruct:free'));
  assert.ok(!ids.includes('openai/text-embedding-3-small') && !ids.includes('nvidia/llama-nemotron-embed-vl-1b-v2:free'), 'embedding models hidden by default');
  assert.equal(text['total_count'], ids.length);
  assert.deepEqual(text['links'], { next: null });
  assert.deepEqual((await list('?output_modalities=embeddings'))['data'].map((m: Json) => m['id']), ['openai/text-embedding-3-small', 'nvidia/llama-nemotron-embed-vl-1b-v2:free']);
  assert.equal((await list('?output_modalities=all'))['data'].length, ids.length + 2);
  const withTools = (await list('?supported_parameters=tools'))['data'].map((m: Json) => m['id']);
  assert.ok(!withTools.includes('deepseek/deepseek-r1:free'));
  assert.ok(withTools.includes('qwen/qwen3-coder:free'));
  const llama = text['data'].find((m: Json) => m['id'] === 'meta-llama/llama-3.3-70b-instruct:free');
  assert.equal(llama['pricing']['prompt'], '0');
  assert.notEqual(llama['top_provider']['context_length'], llama['context_length']);
  assert.equal(text['data'].find((m: Json) => m['id'] === 'openrouter/auto')['pricing']['prompt'], '-1');
});

test('non-stream reply has the OpenRouter shape and X-Generation-Id', async (t) => {
  const fake = await startFake(t);
  const res = await chat(fake, userSays('hello world'));
  assert.equal(res.status, 200);
  const body = (await res.json()) as Json;
  assert.match(body['id'], GEN_ID);
  assert.equal(res.headers.get('x-generation-id'), body['id']);
  assert.equal(body['object'], 'chat.completion');
  assert.equal(body['provider'], 'OpenAI');
  assert.equal(body['model'], 'openai/gpt-4o');
  const choice = body['choices'][0];
  assert.deepEqual(choice['message'], { role: 'assistant', content: 'Echo: hello world', refusal: null, reasoning: null });
  assert.equal(choice['finish_reason'], 'stop');
  assert.equal(choice['native_finish_reason'], 'stop');
  assert.equal(body['usage']['prompt_tokens'], 2);
  assert.equal(body['usage']['completion_tokens'], 3);
  assert.ok(body['usage']['cost'] > 0);
  assert.ok('cost_details' in body['usage'] && 'completion_tokens_details' in body['usage']);
  assert.deepEqual(fake.chatRequests(), [userSays('hello world')]);
  assert.equal(fake.requests[0]?.headers['authorization'], AUTH.Authorization);
});

test('chat rejects what OpenRouter rejects', async (t) => {
  const fake = await startFake(t);
  const cases: Array<[Json, RequestInit, number, RegExp]> = [
    [userSays('hi'), { headers: { 'Content-Type': 'application/json' } }, 401, /^No auth credentials found$/],
    [userSays('hi', { model: 'nope/missing' }), {}, 400, /^nope\/missing is not a valid model ID$/],
    [userSays('hi', { model: 'deepseek/deepseek-r1:free', tools: [TOOL] }), {}, 404, /^No endpoints found that support tool use/],
    [{ model: 'qwen/qwen3-coder:free', messages: [{ role: 'user', content: [{ type: 'text', text: 'see' },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }] }] }, {}, 404, /^No endpoints found that support image input$/],
  ];
  for (const [body, init, status, message] of cases) {
    const res = await chat(fake, body, init);
    assert.equal(res.status, status);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    const error = (await res.json()) as Json;
    assert.equal(error['error']['code'], status);
    assert.match(error['error']['message'], message);
    assert.equal(error['user_id'], 'user_fake');
  }
  const missing = await fetch(`${fake.url}/nowhere`);
  assert.equal(missing.status, 404);
  assert.equal(((await missing.json()) as Json)['error']['code'], 404);
});

test('stream wire format: comments, repeated role, finish chunk, separate usage chunk, [DONE]', async (t) => {
  const fake = await startFake(t, { keepAliveComments: 2 });
  const res = await chat(fake, userSays('hello world', { stream: true }));
  assert.equal(res.headers.get('content-type'), 'text/event-stream');
  const text = await res.text();
  assert.ok(text.startsWith(': OPENROUTER PROCESSING\n\n: OPENROUTER PROCESSING\n\ndata: '));
  assert.ok(text.endsWith('data: [DONE]\n\n'));
  const events = chunks(text);
  assert.equal(events[0]?.['id'], res.headers.get('x-generation-id'));
  const content = events.slice(0, -2);
  assert.deepEqual(content.map((c) => c['choices'][0]['delta']), [
    { role: 'assistant', content: 'Echo:' }, { role: 'assistant', content: ' hello' }, { role: 'assistant', content: ' world' },
  ]);
  const finish = events.at(-2) as Json;
  assert.deepEqual(finish['choices'][0]['delta'], { role: 'assistant', content: '' });
  assert.equal(finish['choices'][0]['finish_reason'], 'stop');
  assert.equal(finish['usage'], undefined);
  const usage = events.at(-1) as Json;
  assert.deepEqual(usage['choices'], []);
  assert.equal(usage['usage']['completion_tokens'], 3);
  for (const event of events) assert.equal(event['object'], 'chat.completion.chunk');

  // The next stream uses the other usage-chunk shape seen in real traffic.
  const second = chunks(await (await chat(fake, userSays('again', { stream: true }))).text()).at(-1) as Json;
  assert.deepEqual(second['choices'], [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null, native_finish_reason: null, logprobs: null }]);
  assert.ok(second['usage']['total_tokens'] > 0);
});

test('tool calls stream as fragments by index and arrive whole when not streamed', async (t) => {
  const fake = await startFake(t);
  const second = { type: 'function', function: { name: 'other', parameters: { type: 'object', properties: {} } } };
  const events = chunks(await (await chat(fake, userSays('find it [tools=2]', { stream: true, tools: [TOOL, second] }))).text());
  const fragments = events.flatMap((e) => e['choices'][0]?.['delta']?.['tool_calls'] ?? []);
  const first = fragments[0];
  assert.equal(first['index'], 0);
  assert.match(first['id'], /^call_[A-Za-z0-9]{24}$/);
  assert.deepEqual({ ...first, id: 'x' }, { index: 0, id: 'x', type: 'function', function: { name: 'lookup', arguments: '' } });
  const args0 = fragments.filter((f: Json) => f['index'] === 0).slice(1);
  assert.ok(args0.length > 1);
  for (const f of args0) assert.deepEqual(Object.keys(f).sort(), ['function', 'index', 'type']);
  assert.deepEqual(JSON.parse(args0.map((f: Json) => f['function']['arguments']).join('')),
    { q: 'find it [tools=2]', n: 42, b: true, o: null });
  assert.equal(fragments.find((f: Json) => f['index'] === 1 && f['id'])['function']['name'], 'other');
  assert.equal(events.at(-2)?.['choices'][0]['finish_reason'], 'tool_calls');

  const body = (await (await chat(fake, userSays('x', { tools: [TOOL] }))).json()) as Json;
  const message = body['choices'][0]['message'];
  assert.equal(message['content'], null);
  assert.equal(message['tool_calls'][0]['function']['name'], 'lookup');
  assert.equal(body['choices'][0]['finish_reason'], 'tool_calls');
});

test('deterministic replies: tool results, reasoning, JSON mode, max_tokens, [chunks=N]', async (t) => {
  const fake = await startFake(t);
  const reply = async (body: Json) => ((await (await chat(fake, body)).json()) as Json)['choices'][0];
  const toolTurn = await reply({ model: 'openai/gpt-4o', tools: [TOOL], messages: [
    { role: 'user', content: 'q' }, { role: 'tool', tool_call_id: 'call_1', content: '21 degrees' }] });
  assert.equal(toolTurn['message']['content'], 'Tool result: 21 degrees');
  const thinking = await reply(userSays('why', { model: 'anthropic/claude-sonnet-4', reasoning: { effort: 'low' } }));
  assert.equal(thinking['message']['reasoning'], 'Thinking about: why');
  assert.equal(thinking['message']['content'], 'Echo: why');
  const noThinking = await reply(userSays('why', { model: 'openai/gpt-4o', reasoning: { effort: 'low' } }));
  assert.equal(noThinking['message']['reasoning'], null);
  assert.equal((await reply(userSays('hi', { response_format: { type: 'json_object' } })))['message']['content'], '{"echo":"hi"}');
  const cut = await reply(userSays('one two three four', { max_tokens: 2 }));
  assert.deepEqual([cut['message']['content'], cut['finish_reason']], ['Echo: one', 'length']);
  assert.equal((await reply(userSays('[chunks=3]')))['message']['content'], 'tok0 tok1 tok2 ');
  assert.equal((await reply(userSays('')))['message']['content'], 'Hello from openai/gpt-4o');
  const streamed = chunks(await (await chat(fake, userSays('[chunks=20000]', { stream: true }))).text());
  assert.equal(streamed.length, 20002);
  assert.equal(streamed[19999]?.['choices'][0]['delta']['content'], 'tok19999 ');
});

test('rate-limit faults carry X-RateLimit-* headers mirrored in metadata', async (t) => {
  const fake = await startFake(t);
  const id = 'meta-llama/llama-3.3-70b-instruct:free';
  fake.script(id, { kind: 'rate-limit', scope: 'per-day' }, { kind: 'rate-limit', scope: 'per-min', resetAt: 1779321660000, retryAfterSeconds: 7 },
    { kind: 'rate-limit', scope: 'upstream' });
  const daily = await chat(fake, userSays('hi', { model: id }));
  assert.equal(daily.status, 429);
  const reset = daily.headers.get('x-ratelimit-reset') ?? '';
  assert.match(reset, /^\d{13}$/);
  assert.equal(Number(reset) % 86_400_000, 0, 'next 00:00 UTC');
  assert.ok(Number(reset) > Date.now());
  const body = (await daily.json()) as Json;
  assert.match(body['error']['message'], /^Rate limit exceeded: free-models-per-day\. /);
  assert.deepEqual(body['error']['metadata']['headers'], { 'X-RateLimit-Limit': '50', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': reset });
  assert.equal(body['error']['metadata']['limit_source'], 'openrouter_free_tier_daily');

  const minute = await chat(fake, userSays('hi', { model: id, stream: true }));
  assert.equal(minute.status, 429);
  assert.equal(minute.headers.get('x-ratelimit-reset'), '1779321660000');
  assert.equal(minute.headers.get('retry-after'), '7');
  assert.match(((await minute.json()) as Json)['error']['message'], /free-models-per-min/);

  const upstream = (await (await chat(fake, userSays('hi', { model: id }))).json()) as Json;
  assert.equal(upstream['error']['message'], 'Provider returned error');
  assert.match(upstream['error']['metadata']['raw'], /temporarily rate-limited upstream/);
  assert.equal((await chat(fake, userSays('hi', { model: id }))).status, 200, 'each fault is used once');
});

test('pre-response faults: http, provider raw, no-endpoints, free period ended, wildcard', async (t) => {
  const fake = await startFake(t);
  fake.script('openai/gpt-4o', { kind: 'http', status: 402 }, { kind: 'http', status: 502, raw: '{"error":"boom"}', providerName: 'Azure' });
  fake.script('*', { kind: 'no-endpoints' }, { kind: 'free-period-ended' });
  const read = async (model: string) => {
    const res = await chat(fake, userSays('hi', { model }));
    return [res.status, ((await res.json()) as Json)['error']] as const;
  };
  const [s402, e402] = await read('openai/gpt-4o');
  assert.equal(s402, 402);
  assert.match(e402['message'], /^Insufficient credits/);
  const [s502, e502] = await read('openai/gpt-4o');
  assert.equal(s502, 502);
  assert.deepEqual([e502['message'], e502['metadata']['raw'], e502['metadata']['provider_name']], ['Provider returned error', '{"error":"boom"}', 'Azure']);
  assert.deepEqual(await read('gone/model:free'), [404, { code: 404, message: 'No endpoints found for gone/model:free.' }]);
  const [s404, ended] = await read('meta-llama/llama-3.3-70b-instruct:free');
  assert.equal(s404, 404);
  assert.equal(ended['message'], 'The free Llama 3.3 70B Instruct period has ended. To continue using this model, please migrate to the paid slug: meta-llama/llama-3.3-70b-instruct');
});

test('in-band error chunks in all three shapes end the stream without [DONE]', async (t) => {
  const fake = await startFake(t);
  fake.script('openai/gpt-4o', { kind: 'error-chunk', afterChunks: 1 }, { kind: 'error-chunk', afterChunks: 0, shape: 'empty-choices', code: 429 },
    { kind: 'error-chunk', afterChunks: 2, shape: 'bare', message: 'worker limit' });
  const streams = [];
  for (let i = 0; i < 3; i++) streams.push(await (await chat(fake, userSays('a b c', { stream: true }))).text());
  for (const text of streams) assert.ok(!text.includes('[DONE]'));
  const [withChoice, emptyChoices, bare] = streams.map((text) => chunks(text));
  assert.equal(withChoice?.length, 2);
  assert.equal(withChoice?.[1]?.['error']['code'], 502);
  assert.equal(withChoice?.[1]?.['choices'][0]['finish_reason'], 'error');
  assert.deepEqual([emptyChoices?.length, emptyChoices?.[0]?.['choices'], emptyChoices?.[0]?.['error']['code']], [1, [], 429]);
  assert.deepEqual(bare?.at(-1), { error: { code: 502, message: 'worker limit', metadata: { error_type: 'provider_unavailable' } }, user_id: 'user_fake' });
});

test('stall keeps the socket open until the client aborts; aborts are counted', async (t) => {
  const fake = await startFake(t);
  fake.script('openai/gpt-4o', { kind: 'stall', afterChunks: 1, keepAliveEveryMs: 10 });
  const controller = new AbortController();
  const res = await chat(fake, userSays('a b c', { stream: true }), { signal: controller.signal });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let seen = '';
  // Wait for the first content chunk and at least two keep-alives sent while stalled.
  while (!(seen.includes('"content":"Echo:"') && seen.split(': OPENROUTER PROCESSING').length > 3)) {
    const { value, done } = await reader.read();
    assert.ok(!done);
    seen += decoder.decode(value, { stream: true });
  }
  assert.ok(!seen.includes('" b"'));
  assert.equal(fake.activeStreams(), 1);
  controller.abort();
  assert.equal(await fake.waitForAbort(2000), true);
  assert.equal(fake.abortedStreams(), 1);
  assert.equal(fake.activeStreams(), 0);
  assert.equal(await fake.waitForAbort(20), false);
});

test('a client abort during a slow stream is counted and stops emission', async (t) => {
  const fake = await startFake(t);
  const controller = new AbortController();
  const res = await chat(fake, userSays('[chunks=500] [delay=5]', { stream: true }), { signal: controller.signal });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  await reader.read();
  controller.abort();
  assert.equal(await fake.waitForAbort(2000), true);
  assert.equal(fake.abortedStreams(), 1);
});

test('reset, malformed and truncate break streams the way providers do', async (t) => {
  const fake = await startFake(t);
  fake.script('openai/gpt-4o', { kind: 'reset', afterChunks: -1 }, { kind: 'reset', afterChunks: 1 },
    { kind: 'malformed', afterChunks: 1 }, { kind: 'truncate', afterChunks: 2 });
  await assert.rejects(chat(fake, userSays('a b c', { stream: true })));
  const reset = await chat(fake, userSays('a b c', { stream: true }));
  await assert.rejects(reset.text());
  const malformed = sseBlocks(await (await chat(fake, userSays('a b c', { stream: true }))).text());
  assert.equal(malformed[2]?.data, '{not json');
  assert.equal(malformed.at(-1)?.data, '[DONE]');
  const truncated = chunks(await (await chat(fake, userSays('a b c', { stream: true }))).text());
  assert.equal(truncated.length, 2);
  assert.ok(truncated.every((c) => c['choices'][0]['finish_reason'] === null));
  assert.equal(fake.abortedStreams(), 0, 'server-side resets are not client aborts');
});

test('non-stream faults: error-body, leading whitespace, delay', async (t) => {
  const fake = await startFake(t);
  fake.script('openai/gpt-4o', { kind: 'error-body', status: 429 }, { kind: 'leading-whitespace' }, { kind: 'delay', ms: 60 });
  const errorBody = await chat(fake, userSays('hi'));
  assert.equal(errorBody.status, 200);
  const parsed = (await errorBody.json()) as Json;
  assert.deepEqual(Object.keys(parsed), ['error', 'user_id']);
  assert.equal(parsed['error']['code'], 429);
  const text = await (await chat(fake, userSays('hi'))).text();
  assert.ok(text.startsWith('\n\n   \n{'));
  assert.equal((JSON.parse(text) as Json)['choices'][0]['message']['content'], 'Echo: hi');
  const started = performance.now();
  assert.equal((await chat(fake, userSays('hi'))).status, 200);
  assert.ok(performance.now() - started >= 55);
});

test('offline mode drops connections without recording them', async (t) => {
  const fake = await startFake(t);
  fake.setOffline(true);
  await assert.rejects(fetch(`${fake.url}/models`));
  assert.equal(fake.requests.length, 0);
  fake.setOffline(false);
  assert.equal((await fetch(`${fake.url}/models`)).status, 200);
});

test('close() ends stalled requests and does not hang', async () => {
  const fake = await startFakeOpenRouter();
  fake.script('*', { kind: 'stall', afterChunks: 0 });
  const pending = chat(fake, userSays('hi')).then(async (r) => r.text());
  while (fake.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
  await fake.close();
  await assert.rejects(pending);
  assert.equal(fake.abortedStreams(), 0);
});

test('embeddings are unit vectors, deterministic, and only for embedding models', async (t) => {
  const fake = await startFake(t);
  const embed = (body: Json) => fetch(`${fake.url}/embeddings`, { method: 'POST', headers: AUTH, body: JSON.stringify(body) });
  const res = (await (await embed({ model: 'openai/text-embedding-3-small', input: ['a b', 'c', 'a b'] })).json()) as Json;
  assert.match(res['id'], /^embd-/);
  assert.equal(res['object'], 'list');
  assert.equal(res['usage']['prompt_tokens'], 5);
  const [a, c, again] = res['data'].map((d: Json) => d['embedding'] as number[]);
  assert.equal(a.length, 16);
  assert.ok(Math.abs(Math.hypot(...a) - 1) < 1e-9);
  assert.deepEqual(a, again);
  assert.notDeepEqual(a, c);
  assert.equal((await embed({ model: 'openai/gpt-4o', input: 'x' })).status, 404);
  const free = (await (await embed({ model: 'nvidia/llama-nemotron-embed-vl-1b-v2:free', input: 'a b' })).json()) as Json;
  assert.deepEqual([free['model'], free['data'][0]['embedding'], free['usage']['cost']], ['nvidia/llama-nemotron-embed-vl-1b-v2:free', a, 0]);
});

test('GET /key describes the key', async (t) => {
  const fake = await startFake(t);
  const key = (await (await fetch(`${fake.url}/key`, { headers: AUTH })).json()) as Json;
  assert.equal(key['data']['label'], 'sk-or-v1-tes...000');
  assert.equal(key['data']['is_free_tier'], true);
  assert.equal((await fetch(`${fake.url}/key`)).status, 401);
});

test('generateCatalog is deterministic and mixed', () => {
  const models = generateCatalog(400, 7);
  assert.deepEqual(models, generateCatalog(400, 7));
  assert.equal(new Set(models.map((m) => m.id)).size, 400);
  const free = models.filter((m) => m.id.endsWith(':free'));
  assert.ok(free.length > 100 && free.length < 250);
  assert.ok(free.every((m) => m.pricing.prompt === '0' && m.expiration_date !== null));
  assert.ok(new Set(models.map((m) => m.context_length)).size > 5);
  assert.notDeepEqual(models, generateCatalog(400, 8));
});
