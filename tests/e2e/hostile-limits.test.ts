// A hostile upstream that never stops, never starts, or echoes the proxy's key: every answer is
// bounded in size and time, and the OpenRouter key never reaches a client or the dashboard.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { APIS, ask } from '../helpers/four-apis.ts';
import type { Proxy } from '../helpers/harness.ts';
import { contentChunk, endless, json, sse, silent, startHostileProxy, type Act } from '../helpers/hostile-upstream.ts';
import { call, errorMessage } from '../helpers/reliability-helpers.ts';

const MODEL = 'qwen/qwen3-coder:free';
const DIRECT = { FREE_MODE: 'false' };

describe('an endless non-streamed body is cut at its cap: a 502, and the upstream let go', () => {
  const CASES: Array<{ name: string; route: 'chat' | 'embeddings'; path: string; body: unknown; shape: 'ollama' | 'openai' }> = [
    { name: '/v1/chat/completions', route: 'chat', path: '/v1/chat/completions', body: { model: MODEL, messages: [{ role: 'user', content: 'hi' }] }, shape: 'openai' },
    { name: '/v1/embeddings', route: 'embeddings', path: '/v1/embeddings', body: { model: 'nvidia/llama-nemotron-embed-vl-1b-v2:free', input: ['a', 'b'] }, shape: 'openai' },
    { name: '/api/embed', route: 'embeddings', path: '/api/embed', body: { model: 'nvidia/llama-nemotron-embed-vl-1b-v2:free', input: 'a' }, shape: 'ollama' },
  ];
  for (const { name, route, path, body, shape } of CASES) {
    test(name, { timeout: 30_000 }, async (t) => {
      const { proxy, hostile } = await startHostileProxy(t, { env: DIRECT });
      // Whitespace is what OpenRouter's own keep-alives look like: JSON.parse would accept it all.
      hostile.script(route, endless('application/json', ' '));
      const answer = await call(proxy, path, { body });
      assert.equal(answer.status, 502, answer.text.slice(0, 300));
      assert.match(errorMessage(shape, answer.text), /OpenRouter sent a response larger than \d+(\.\d+)? MiB/);
      await hostile.allClosed();
      assert.equal(hostile.count(route), 1);
    });
  }
});

test('content, then only keep-alive comments: the stream ends within STREAM_IDLE_TIMEOUT_SECONDS', { timeout: 15_000 }, async (t) => {
  const { proxy, hostile } = await startHostileProxy(t, { env: { ...DIRECT, STREAM_IDLE_TIMEOUT_SECONDS: '0.3' } });
  for (const api of APIS) {
    hostile.script('chat', sse([contentChunk('Hello')], 'keep-alives'));
    const seen = await ask(proxy, api, { model: MODEL, stream: true });
    assert.equal(seen.ended, 'error', api);
    assert.equal(seen.content, 'Hello');
    assert.match(seen.error ?? '', /only keep-alive comments, no data, for 0\.3 s \(STREAM_IDLE_TIMEOUT_SECONDS\)/);
    await hostile.allClosed();
  }
});

test('a non-streamed chat whose upstream never sends headers gives up after FIRST_TOKEN_TIMEOUT_SECONDS, like the others', { timeout: 15_000 }, async (t) => {
  const { proxy, hostile } = await startHostileProxy(t, { env: { ...DIRECT, FIRST_TOKEN_TIMEOUT_SECONDS: '0.3', REQUEST_TIMEOUT_SECONDS: '600' } });
  for (const api of APIS) {
    hostile.script('chat', silent);
    const seen = await ask(proxy, api, { model: MODEL, stream: false });
    assert.equal(seen.status, 504, `${api}: ${JSON.stringify(seen)}`);
    assert.match(seen.error ?? '', /within 0\.3 s \(FIRST_TOKEN_TIMEOUT_SECONDS\)/);
    await hostile.allClosed();
  }
});

describe('an upstream that echoes the OpenRouter key: it never reaches a client, /status or /status/events', () => {
  // Two keys: OpenRouter's shape, and one no pattern would recognise (only the configured value can find it).
  for (const key of ['sk-or-v1-0123456789abcdef0123456789abcdef', 'plain-secret-value-42']) {
    test(key.startsWith('sk-') ? 'an sk-or key' : 'a key of no known shape', { timeout: 20_000 }, async (t) => {
      const { proxy, hostile } = await startHostileProxy(t, { env: { ...DIRECT, OPENROUTER_API_KEY: key } });
      const echo = (exchange: Parameters<Act>[0]): string => String(exchange.req.headers.authorization);
      const acts: Act[] = [
        (exchange) => json(401, { error: { code: 401, message: `No auth credentials found: ${echo(exchange)}` } })(exchange),
        (exchange) => json(502, { error: { code: 502, message: 'Provider returned error', metadata: { raw: `upstream saw ${echo(exchange)}`, provider_name: 'X' } } })(exchange),
        (exchange) => {
          exchange.res.writeHead(500, { 'Content-Type': 'text/plain' });
          exchange.res.end(`crash; request headers were ${echo(exchange)}`);
        },
        (exchange) => sse([contentChunk('Hi'), JSON.stringify({ error: { code: 502, message: `mid-stream: ${echo(exchange)}` } })], 'end')(exchange),
        (exchange) => sse([contentChunk('Hi'), `{"broken": "${echo(exchange)}"`], 'hang')(exchange),
        (exchange) => sse([contentChunk('Hi'), JSON.stringify({ choices: [null], note: echo(exchange) })], 'hang')(exchange),
      ];
      const bodies: string[] = [];
      for (const [index, act] of acts.entries()) {
        hostile.script('chat', act);
        const api = APIS[index % APIS.length] ?? 'ollama';
        const seen = await ask(proxy, api, { model: MODEL, stream: index >= 3 });
        assert.equal(seen.ended, 'error', `act ${index}: ${JSON.stringify(seen)}`);
        assert.match(seen.error ?? '', /\[redacted\]/, `act ${index} says where the key was`);
        bodies.push(JSON.stringify(seen));
      }
      await hostile.allClosed();
      bodies.push((await call(proxy, '/status')).text);
      bodies.push(await dashboardSnapshot(proxy));
      for (const body of bodies) assert.ok(!body.includes(key), `the key leaked: ${body.slice(0, 400)}`);
      // The logs never had it either (the logger redacts on its own; this guards the new paths too).
      assert.ok(!proxy.logs.join('').includes(key));
    });
  }
});

/** The dashboard's first events: the snapshot, whose status holds the last error of every model. */
async function dashboardSnapshot(proxy: Proxy): Promise<string> {
  const response = await proxy.fetch('/status/events');
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!text.includes('event: chart')) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  await reader.cancel();
  assert.match(text, /last_errors/);
  return text;
}
