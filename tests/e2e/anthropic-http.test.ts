// /v1/messages at the HTTP level, as Claude Code calls it (recorded shape: see the agents-cli findings),
// and the edges a client library hides: `?beta=true`, headers, CORS, error shapes, the two model lists.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { lastUpstreamChat, rawRequest } from '../helpers/fidelity-helpers.ts';
import { post, startProxy } from '../helpers/harness.ts';
import { errorMessage } from '../helpers/reliability-helpers.ts';

const ANTHROPIC = { 'anthropic-version': '2023-06-01' };

/** Claude Code's request, trimmed: system blocks with cache_control, a system turn inside messages, adaptive thinking, extra top-level keys. */
const claudeCodeBody = {
  model: 'claude-opus-5-5',
  max_tokens: 128000,
  stream: true,
  system: [{ type: 'text', text: 'x-anthropic-billing-header: cc_version=2' }, { type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } }],
  messages: [
    { role: 'user', content: [{ type: 'text', text: '<system-reminder>ctx</system-reminder>' }, { type: 'text', text: 'Say hello', cache_control: { type: 'ephemeral' } }] },
    { role: 'system', content: [{ type: 'text', text: 'turn note', cache_control: { type: 'ephemeral' } }], output_config: { effort: 'medium' } },
  ],
  tools: [
    { name: 'Bash', description: 'Run a command', input_schema: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] } },
    { name: 'ToolSearch', description: 'Find tools', input_schema: { type: 'object', properties: {} }, defer_loading: true },
    { type: 'web_search_20250305', name: 'web_search', max_uses: 5 },
  ],
  metadata: { user_id: '{"device_id":"d","session_id":"s"}' },
  thinking: { type: 'adaptive', display: 'omitted' },
  context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
  output_config: { effort: 'medium' },
};

/** Splits an Anthropic SSE body into its event names. */
const eventNames = (text: string) => text.split('\n\n').filter((block) => block !== '').map((block) => block.split('\n')[0]?.replace('event: ', ''));

describe('/v1/messages over HTTP', () => {
  test("Claude Code's request on /v1/messages?beta=true streams SSE; a dropped server tool is logged once", async (t) => {
    const proxy = await startProxy(t, { env: { PROXY_API_KEY: 'k-123' } });
    const headers = { ...ANTHROPIC, 'anthropic-beta': 'claude-code-20250219,interleaved-thinking-2025-05-14', 'x-api-key': 'k-123', accept: 'application/json' };
    for (let i = 0; i < 2; i++) {
      const response = await post(proxy, '/v1/messages?beta=true', claudeCodeBody, headers);
      assert.equal(response.status, 200, response.text);
      assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
      const names = eventNames(response.text);
      assert.equal(names[0], 'message_start');
      assert.deepEqual(names.slice(-2), ['message_delta', 'message_stop']);
      assert.ok(names.includes('content_block_delta'));
    }
    const warnings = proxy.logs.filter((line) => line.includes('WARN') && line.includes('web_search_20250305'));
    assert.equal(warnings.length, 1, proxy.logs.join('\n'));
    const upstream = lastUpstreamChat(proxy);
    assert.deepEqual(upstream.tools.map((tool: { function: { name: string } }) => tool.function.name), ['Bash', 'ToolSearch']);
    assert.deepEqual(upstream.reasoning, { effort: 'medium' });
    // The per-turn system note stays where Claude Code put it; the leading system prompt is stable.
    assert.deepEqual(upstream.messages.map((message: { role: string }) => message.role), ['system', 'user', 'system']);
    assert.match(upstream.messages[0].content, /You are Claude Code\.$/);
    assert.equal(upstream.messages[2].content, 'turn note');
  });

  test('errors on /v1/messages are in Anthropic shape, before and after routing', async (t) => {
    const proxy = await startProxy(t, { env: { PROXY_API_KEY: 'k-123' } });
    const unauthorized = await post(proxy, '/v1/messages', claudeCodeBody, { 'x-api-key': 'wrong' });
    assert.equal(unauthorized.status, 401);
    assert.match(errorMessage('anthropic', unauthorized.text), /x-api-key/);
    assert.equal(unauthorized.json().error.type, 'authentication_error');

    const bad = await post(proxy, '/v1/messages', '{"model":', { 'x-api-key': 'k-123' });
    assert.equal(bad.status, 400);
    assert.equal(bad.json().error.type, 'invalid_request_error');

    const wrongMethod = await rawRequest(proxy, '/v1/messages', 'GET', { 'x-api-key': 'k-123' });
    assert.equal(JSON.parse(wrongMethod.text).type, 'error');

    // Every free chat model fails the same way: OpenRouter is down, a 503 that Anthropic calls overloaded_error.
    proxy.fake.script('*', ...Array.from({ length: 9 }, () => ({ kind: 'http' as const, status: 500 })));
    const failed = await post(proxy, '/v1/messages', { model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }, { 'x-api-key': 'k-123' });
    assert.equal(failed.status, 503);
    assert.match(errorMessage('anthropic', failed.text), /OpenRouter appears to be down/);
    assert.equal(failed.json().error.type, 'overloaded_error');
    assert.ok(Number(failed.headers.get('retry-after')) > 0);
  });

  test('GET /v1/models answers Anthropic clients in their shape and OpenAI clients as before', async (t) => {
    const proxy = await startProxy(t);
    const anthropic = await rawRequest(proxy, '/v1/models?limit=2', 'GET', ANTHROPIC);
    const page = JSON.parse(anthropic.text);
    assert.deepEqual(Object.keys(page), ['data', 'has_more', 'first_id', 'last_id']);
    assert.equal(page.data.length, 2);
    assert.equal(page.has_more, true);
    const openai = JSON.parse((await rawRequest(proxy, '/v1/models', 'GET', {})).text);
    assert.equal(openai.object, 'list');
    assert.equal(openai.data[0].object, 'model');
    const missing = await rawRequest(proxy, '/v1/models/nope:latest', 'GET', ANTHROPIC);
    assert.equal(missing.status, 404);
    assert.equal(JSON.parse(missing.text).error.type, 'not_found_error');
  });

  test('count_tokens needs no max_tokens and sends nothing upstream', async (t) => {
    const proxy = await startProxy(t);
    const counted = await post(proxy, '/v1/messages/count_tokens', { model: 'm', messages: [{ role: 'user', content: 'abcdefgh' }] }, ANTHROPIC);
    assert.deepEqual(counted.json(), { input_tokens: 2 + 3 });
    assert.equal(proxy.fake.chatRequests().length, 0);
  });

  test('CORS preflight allows the Anthropic headers', async (t) => {
    const proxy = await startProxy(t);
    const response = await rawRequest(proxy, '/v1/messages', 'OPTIONS', {
      Origin: 'http://localhost:3000', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'x-api-key,anthropic-version,anthropic-beta',
    });
    assert.equal(response.status, 204);
    for (const header of ['x-api-key', 'anthropic-version', 'anthropic-beta', 'anthropic-dangerous-direct-browser-access']) {
      assert.match(String(response.headers['access-control-allow-headers']), new RegExp(header, 'i'));
    }
  });
});

test('an alias is listed for Anthropic clients too, first, and can be retrieved', async (t) => {
  const proxy = await startProxy(t);
  writeFileSync(join(proxy.dir, 'aliases'), 'claude-sonnet-4-5 = qwen3-coder:free\n');
  const page = JSON.parse((await rawRequest(proxy, '/v1/models?limit=100', 'GET', ANTHROPIC)).text);
  assert.equal(page.data[0]?.id, 'claude-sonnet-4-5');
  const one = await rawRequest(proxy, '/v1/models/claude-sonnet-4-5', 'GET', ANTHROPIC);
  assert.equal(JSON.parse(one.text).id, 'claude-sonnet-4-5');
});
