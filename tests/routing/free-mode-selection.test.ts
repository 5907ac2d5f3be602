// Which models a request may use: listing order, the filter file (and its hot reload), TOOL_USE_ONLY,
// routing by tools and images, non-free mode, and what GET /status reports.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FREE_CHAT_ORDER, FREE_NAMES, FREE_ORDER, freezeClockAtFetch, getJson, MINUTE, modelsTried, ollamaChat, openaiChat } from '../helpers/free-mode-helpers.ts';
import { startProxy, type Proxy } from '../helpers/harness.ts';

const [GEMINI, QUASAR, QWEN, DEEPSEEK, GPT_OSS, MISTRAL, LLAMA, /* FREE_EMBEDDER */, ACME, OTHER] = FREE_ORDER;
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
const TOOLS = [{ type: 'function', function: { name: 'get_time', description: 'The time', parameters: { type: 'object', properties: {} } } }];

async function listed(proxy: Proxy): Promise<{ tags: string[]; openai: string[] }> {
  const tags = (await getJson(proxy, '/api/tags')).body.models.map((model: { name: string }) => model.name);
  const openai = (await getJson(proxy, '/v1/models')).body.data.map((model: { id: string }) => model.id);
  return { tags, openai };
}

function writeFilter(proxy: Proxy, text: string): void {
  writeFileSync(join(proxy.dir, 'filter'), text);
}

test('free mode lists every free model in priority order; cooldowns change routing, not listing', async (t) => {
  const proxy = await startProxy(t);
  assert.deepEqual(await listed(proxy), { tags: [...FREE_NAMES], openai: [...FREE_NAMES] });
  freezeClockAtFetch(proxy);
  // The embedder is listed, but a chat naming it is "any name": it goes to the first chat model.
  const named = await ollamaChat(proxy, 'llama-nemotron-embed-vl-1b-v2:free');
  assert.deepEqual([named.status, named.model, modelsTried(proxy)], [200, GEMINI, [GEMINI]]);
  proxy.fake.reset();
  proxy.fake.script(GEMINI, { kind: 'http', status: 500 });
  await ollamaChat(proxy, 'x');
  assert.equal(proxy.store.isCoolingDown(GEMINI, proxy.clock.wall()), true);
  assert.deepEqual((await listed(proxy)).tags, [...FREE_NAMES]);
});

// Each model's own rate limit: failures that are the models', not an OpenRouter outage, so the walk
// goes on past the outage detector; MAX_ATTEMPTS is raised so that it can reach the last model.
const OWN_LIMIT = { kind: 'rate-limit', scope: 'upstream' } as const;

test('a request with tools goes only to tool-capable models, one with images only to image-capable ones', async (t) => {
  const proxy = await startProxy(t, { env: { MAX_ATTEMPTS: '10' } });
  freezeClockAtFetch(proxy);

  // The requested model (deepseek-r1) cannot call tools, so it is not tried; neither is other/chat-7b.
  for (const id of [GEMINI, QUASAR, QWEN, GPT_OSS, MISTRAL, LLAMA]) proxy.fake.script(id, OWN_LIMIT);
  const tools = await ollamaChat(proxy, 'deepseek-r1:free', { tools: TOOLS });
  assert.deepEqual(modelsTried(proxy), [GEMINI, QUASAR, QWEN, GPT_OSS, MISTRAL, LLAMA, ACME]);
  assert.deepEqual([tools.status, tools.model, tools.attempts], [200, ACME, '7']);

  // Images: only gemini and mistral can see; both are cooling down now, so the one due back first
  // (gemini, which failed first) is probed rather than the request refused.
  proxy.fake.reset();
  const images = await ollamaChat(proxy, 'qwen3-coder:free', { messages: [{ role: 'user', content: 'what is this', images: [PNG] }] });
  assert.deepEqual([images.status, images.model], [200, GEMINI]);
  assert.deepEqual(modelsTried(proxy), [GEMINI]);

  proxy.fake.reset();
  proxy.clock.wallMs = proxy.clock.wall() + 5 * MINUTE;
  proxy.fake.script(GEMINI, { kind: 'http', status: 502 });
  const seen = await openaiChat(proxy, 'qwen3-coder:free', {
    messages: [{ role: 'user', content: [{ type: 'text', text: 'what is this' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } }] }],
  });
  assert.deepEqual([seen.status, seen.model], [200, MISTRAL]);
  assert.deepEqual(modelsTried(proxy), [GEMINI, MISTRAL]);

  // Tools and images together: only the models with both.
  proxy.fake.reset();
  const both = await ollamaChat(proxy, 'x', { tools: TOOLS, messages: [{ role: 'user', content: 'hi', images: [PNG] }] });
  assert.deepEqual([both.status, modelsTried(proxy)], [200, [MISTRAL]], 'gemini is cooling down again');
});

test('no capable model at all is a clear 400', async (t) => {
  const proxy = await startProxy(t);
  writeFilter(proxy, 'deepseek\n');
  const reply = await ollamaChat(proxy, 'x', { tools: TOOLS });
  assert.equal(reply.status, 400);
  assert.match(reply.json().error, /no free model supports tools \(1 free models visible/);
  writeFilter(proxy, 'matches-nothing\n');
  const none = await ollamaChat(proxy, 'x');
  assert.equal(none.status, 400);
  assert.match(none.json().error, /no free model matches the filter/);
});

test('the filter file limits listing, names and fallback, and edits apply without a restart', async (t) => {
  const proxy = await startProxy(t);
  freezeClockAtFetch(proxy);
  writeFilter(proxy, '# only these\n\n  Gemini  \nqwen3 # the coder\n');
  assert.deepEqual(await listed(proxy), { tags: ['gemini-2.0-flash-exp:free', 'qwen3-coder:free'], openai: ['gemini-2.0-flash-exp:free', 'qwen3-coder:free'] });

  // A filtered-out name is just "any name"; fallback stays inside the filter.
  proxy.fake.script(GEMINI, { kind: 'http', status: 500 });
  proxy.fake.script(QWEN, { kind: 'http', status: 500 });
  const reply = await ollamaChat(proxy, 'llama-3.3-70b-instruct:free');
  assert.equal(reply.status, 502);
  assert.match(reply.json().error, /^all 2 models tried failed/);
  assert.deepEqual(modelsTried(proxy), [GEMINI, QWEN]);
  const show = await proxy.fetch('/api/show', { method: 'POST', body: JSON.stringify({ model: 'llama-3.3-70b-instruct:free' }) });
  assert.equal(show.status, 404);

  // Edit: the next request sees the new patterns. The display name matches too ("Quasar Alpha").
  writeFilter(proxy, 'quasar alpha\nmeta-llama/\n');
  assert.deepEqual((await listed(proxy)).tags, ['quasar-alpha:latest', 'llama-3.3-70b-instruct:free']);
  proxy.fake.reset();
  const edited = await ollamaChat(proxy, 'llama-3.3-70b-instruct:free');
  assert.deepEqual([edited.model, modelsTried(proxy)], [LLAMA, [LLAMA]]);

  // Removing the file removes the filter.
  rmSync(join(proxy.dir, 'filter'));
  assert.deepEqual((await listed(proxy)).tags, [...FREE_NAMES]);
  assert.ok(proxy.logs.some((line) => line.includes('model filter loaded')), 'reloads are logged');
});

test('TOOL_USE_ONLY hides chat models without tool calling from listing, names and fallback; embedding models stay', async (t) => {
  const proxy = await startProxy(t, { env: { TOOL_USE_ONLY: 'true', MAX_ATTEMPTS: '10' } });
  freezeClockAtFetch(proxy);
  const expected = FREE_NAMES.filter((name) => name !== 'deepseek-r1:free' && name !== 'other/chat-7b:free');
  assert.deepEqual((await listed(proxy)).tags, expected);
  assert.ok(expected.includes('llama-nemotron-embed-vl-1b-v2:free'), 'tool use means nothing to an embedder');
  for (const id of FREE_ORDER) proxy.fake.script(id, OWN_LIMIT);
  // No tools in the request, yet deepseek (requested) and other/chat-7b are never tried, nor is the embedder.
  const reply = await ollamaChat(proxy, 'deepseek-r1:free');
  assert.equal(reply.status, 429);
  assert.deepEqual(modelsTried(proxy), FREE_CHAT_ORDER.filter((id) => id !== DEEPSEEK && id !== OTHER));
  const status = await getJson(proxy, '/status');
  assert.deepEqual([status.body.tool_use_only, status.body.catalog.visible], [true, 8]);
});

test('non-free mode: the full filtered catalog, unknown names are 404, failures come back as they are', async (t) => {
  const proxy = await startProxy(t, { env: { FREE_MODE: 'no' } });
  const { tags } = await listed(proxy);
  assert.deepEqual(tags.slice(0, FREE_NAMES.length), [...FREE_NAMES], 'free models first, in the same order');
  assert.ok(tags.includes('gpt-4o:latest') && tags.includes('auto:latest') && tags.includes('text-embedding-3-small:latest'));

  const paid = await ollamaChat(proxy, 'gpt-4o');
  assert.deepEqual([paid.status, paid.model, paid.attempts], [200, 'openai/gpt-4o', '1']);

  const unknown = await ollamaChat(proxy, 'no-such-model');
  assert.deepEqual([unknown.status, unknown.json()], [404, { error: "model 'no-such-model' not found" }]);

  proxy.fake.reset();
  proxy.fake.script('anthropic/claude-sonnet-4', { kind: 'http', status: 503, raw: 'overloaded' });
  const failed = await openaiChat(proxy, 'anthropic/claude-sonnet-4');
  assert.equal(failed.status, 502);
  assert.equal(failed.json().error.message, 'Provider returned error (DeepInfra): overloaded');
  assert.deepEqual(modelsTried(proxy), ['anthropic/claude-sonnet-4'], 'no fallback');

  const noTools = await ollamaChat(proxy, 'deepseek-r1:free', { tools: TOOLS });
  assert.deepEqual([noTools.status, noTools.json().error], [400, "model 'deepseek-r1:free' does not support tools"]);

  writeFilter(proxy, 'claude\n');
  assert.deepEqual((await listed(proxy)).tags, ['claude-sonnet-4:latest']);
  assert.equal((await ollamaChat(proxy, 'gpt-4o')).status, 404, 'the filter applies to names too');
  assert.equal((await getJson(proxy, '/status')).body.mode, 'all');
});

test('GET /status reports the mode, the catalog, the filter, cooldowns and account limits', async (t) => {
  const proxy = await startProxy(t);
  const t0 = freezeClockAtFetch(proxy);
  proxy.clock.wallMs = t0 + 90_000;
  writeFilter(proxy, 'a\n');
  proxy.fake.script(GEMINI, { kind: 'rate-limit', scope: 'upstream' });
  proxy.fake.script(QUASAR, { kind: 'no-endpoints' });
  await ollamaChat(proxy, 'x');
  proxy.fake.script(QWEN, { kind: 'rate-limit', scope: 'per-day', resetAt: t0 + 5 * 3_600_000 });
  await ollamaChat(proxy, 'x');

  const { status, body } = await getJson(proxy, '/status');
  const limitMessage: string = body.account_limits[0]?.message;
  assert.equal(status, 200);
  const iso = (ms: number) => new Date(ms).toISOString();
  const now = t0 + 90_000;
  assert.deepEqual(body, {
    mode: 'free',
    tool_use_only: false,
    catalog: {
      loaded: true, source: 'network', fetched_at: iso(t0), age_seconds: 90, next_refresh_at: iso(t0 + 24 * 3_600_000),
      models: 16, free: 10, visible: 9,
    },
    filter: { path: join(proxy.dir, 'filter'), patterns: ['a'] },
    cooldowns: [
      { model: GEMINI, kind: 'rate-limit', failures: 1, last_failure_at: iso(now), until: iso(now + MINUTE) },
      { model: QUASAR, kind: 'gone', failures: 1, last_failure_at: iso(now), until: iso(t0 + 24 * 3_600_000) },
    ],
    account_limits: [{ scope: 'free-daily', resets_at: iso(t0 + 5 * 3_600_000), message: limitMessage }],
    recording: { mode: 'off' },
    // The outage issue's state: no outage, nobody waiting or probing, and today's free requests (4 sent).
    outage: { active: false },
    rate_limit_burst: { active: false },
    waiting: { requests: 0, max_wait_seconds: 30 },
    probes: [],
    max_attempts: 5,
    free_requests_today: { used: 4, limit: 50, resets_at: iso(Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), new Date(now).getUTCDate() + 1)) },
    // The quota issue's savings: none yet.
    saved_today: { total: 0, session_title: 0, count_tokens: 0, too_large: 0, burst_walk: 0 },
  });
  assert.match(limitMessage, /free-models-per-day/);
});
