// Malformed data from a hostile upstream, through the real endpoints of all four client APIs: it ends
// like any other upstream failure (an error ending inside the stream, or a 502), with a message that
// names the malformed data, and the upstream connection is let go at once.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { APIS, ask } from '../helpers/four-apis.ts';
import type { Target } from '../helpers/harness.ts';
import { contentChunk, json, rawStream, sse, startHostileProxy } from '../helpers/hostile-upstream.ts';

const MODEL = 'qwen/qwen3-coder:free';
// The requested model is the only candidate: one scripted upstream answer per request.
const DIRECT = { FREE_MODE: 'false' };

const MALFORMED: Array<{ data: string; names: RegExp }> = [
  { data: 'null', names: /malformed chunk \(the chunk is null\)/ },
  { data: '[1,2]', names: /malformed chunk \(the chunk is an array\)/ },
  { data: '"text"', names: /malformed chunk \(the chunk is a string\)/ },
  { data: '{"choices":5}', names: /malformed chunk \(choices is a number\)/ },
  { data: '{"choices":[null]}', names: /malformed chunk \(choices\[0\] is null\)/ },
  { data: '{"choices":[{"index":0,"delta":5}]}', names: /malformed chunk \(choices\[0\]\.delta is a number\)/ },
  { data: '{"choices":[{"index":0,"delta":{"content":{"a":1}}}]}', names: /malformed chunk \(choices\[0\]\.delta\.content is an object\)/ },
  { data: '{"choices":[{"index":0,"delta":{"tool_calls":[null]}}]}', names: /malformed chunk \(choices\[0\]\.delta\.tool_calls\[0\] is null\)/ },
  { data: '{"choices":[{"index":0,"delta":{"tool_calls":{"0":{}}}}]}', names: /malformed chunk \(choices\[0\]\.delta\.tool_calls is an object\)/ },
  { data: '{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":"f"}]}}]}', names: /tool_calls\[0\]\.function is a string/ },
  { data: '{"choices":[{"index":0,"delta":{"tool_calls":[{"index":"0","function":{"name":"f"}}]}}]}', names: /tool_calls\[0\]\.index is a string/ },
  { data: '{"choices":[{"index":0,"delta":{},"finish_reason":7}]}', names: /choices\[0\]\.finish_reason is a number/ },
  { data: '{"choices":[],"usage":"lots"}', names: /usage is a string/ },
  { data: '{"choices":[],"usage":{"prompt_tokens":"12"}}', names: /usage\.prompt_tokens is a string/ },
  { data: '{"choices":[{"delta":{"content":"x"}}', names: /malformed JSON/ },
];

/** The error must name the data, and must not read like a broken connection or a proxy bug. */
function assertNamesData(error: string | undefined, names: RegExp): void {
  assert.match(error ?? '', names);
  assert.doesNotMatch(error ?? '', /connection|Cannot read|is not a function|internal server error/);
}

describe('malformed data after content: an error ending in the stream, and the upstream let go', () => {
  for (const { data, names } of MALFORMED) {
    for (const api of APIS) {
      test(`${api}: ${data}`, { timeout: 15_000 }, async (t) => {
        const { proxy, hostile } = await startHostileProxy(t, { env: DIRECT });
        hostile.script('chat', sse([contentChunk('Hello'), data], 'hang'));
        const seen = await ask(proxy, api, { model: MODEL, stream: true });
        assert.equal(seen.status, 200);
        assert.equal(seen.ended, 'error', JSON.stringify(seen));
        assert.equal(seen.content, 'Hello');
        assertNamesData(seen.error, names);
        // The hostile upstream holds its side open: only the proxy can have closed it.
        await hostile.allClosed();
        assert.equal(hostile.count('chat'), 1);
      });
    }
  }
});

describe('malformed data in an answer collected whole: a 502 naming the data', () => {
  for (const { data, names } of MALFORMED.slice(0, 8)) {
    for (const api of APIS.filter((name) => name !== 'openai')) {
      test(`${api}: ${data}`, { timeout: 15_000 }, async (t) => {
        const { proxy, hostile } = await startHostileProxy(t, { env: DIRECT });
        hostile.script('chat', sse([contentChunk('Hello'), data], 'hang'));
        const seen = await ask(proxy, api, { model: MODEL, stream: false });
        assert.equal(seen.status, 502, JSON.stringify(seen));
        assertNamesData(seen.error, names);
        await hostile.allClosed();
      });
    }
  }
});

describe('a malformed non-streamed completion (/v1/chat/completions): a 502 naming the data', () => {
  const CASES: Array<{ body: unknown; names: RegExp }> = [
    { body: { choices: 5 }, names: /malformed completion \(choices is a number\)/ },
    { body: { choices: [null] }, names: /malformed completion \(choices\[0\] is null\)/ },
    { body: { choices: [{ index: 0, message: { role: 'assistant', content: 'x', tool_calls: [null] } }] }, names: /choices\[0\]\.message\.tool_calls\[0\] is null/ },
    { body: { choices: [{ index: 0, message: 'hello' }] }, names: /choices\[0\]\.message is a string/ },
    { body: [1], names: /not JSON|malformed completion \(the completion is an array\)/ },
  ];
  for (const { body, names } of CASES) {
    test(JSON.stringify(body), async (t) => {
      const { proxy, hostile } = await startHostileProxy(t, { env: DIRECT });
      hostile.script('chat', json(200, body));
      for (const path of ['chat', 'legacy'] as const) {
        if (path === 'legacy') hostile.script('chat', json(200, body));
        const seen = path === 'chat'
          ? await ask(proxy, 'openai', { model: MODEL, stream: false })
          : await askLegacyCompletion(proxy);
        assert.equal(seen.status, 502, JSON.stringify(seen));
        assertNamesData(seen.error, names);
      }
      assert.equal(hostile.count('chat'), 2);
    });
  }
});

async function askLegacyCompletion(target: Target) {
  const { call, errorMessage } = await import('../helpers/reliability-helpers.ts');
  const answer = await call(target, '/v1/completions', { body: { model: MODEL, prompt: 'hi' } });
  return { status: answer.status, error: answer.status === 200 ? undefined : errorMessage('openai', answer.text) };
}

test('malformed data before any content falls back to the next model, like any other upstream failure', async (t) => {
  const { proxy, hostile } = await startHostileProxy(t);
  hostile.script('chat', sse(['{"choices":[null]}'], 'hang'));
  for (const api of APIS) {
    const seen = await ask(proxy, api, { model: MODEL, stream: true, text: 'fallback' });
    assert.equal(seen.ended, 'done', `${api}: ${JSON.stringify(seen)}`);
    assert.equal(seen.content, 'Echo: fallback');
  }
  // One scripted failure, then the next model answered (forwarded to the offline OpenRouter).
  assert.equal(hostile.count('chat'), APIS.length + 1);
  assert.deepEqual(proxy.store.activeCooldowns(Date.now()).map((failure) => [failure.model, failure.kind]), [[MODEL, 'general']]);
  await hostile.allClosed();
});

test('null usage, delta and tool-call fields are tolerated, as OpenAI-compatible providers send them', async (t) => {
  const { proxy, hostile } = await startHostileProxy(t, { env: DIRECT });
  const odd = [
    JSON.stringify({ choices: [{ index: 0, delta: { role: 'assistant', content: 'Hi', tool_calls: null, reasoning: null }, finish_reason: null }], usage: null }),
    JSON.stringify({ choices: [{ index: 0, delta: null, finish_reason: 'stop' }], usage: null }),
    '[DONE]',
  ];
  for (const api of APIS) {
    for (const stream of [true, false]) {
      if (api === 'openai' && !stream) continue;
      hostile.script('chat', sse(odd, 'end'));
      const seen = await ask(proxy, api, { model: MODEL, stream });
      assert.equal(seen.ended, 'done', `${api} stream=${stream}: ${JSON.stringify(seen)}`);
      assert.equal(seen.content, 'Hi');
    }
  }
});

test('an SSE line longer than the limit ends the stream with an error and lets go of the upstream', { timeout: 30_000 }, async (t) => {
  const { proxy, hostile } = await startHostileProxy(t, { env: DIRECT });
  for (const api of APIS) {
    hostile.script('chat', rawStream(`data: ${contentChunk('Hello')}\n\ndata: ${'x'.repeat(17 * 1024 * 1024)}`));
    const seen = await ask(proxy, api, { model: MODEL, stream: true });
    assert.equal(seen.ended, 'error', api);
    assert.equal(seen.content, 'Hello');
    assert.match(seen.error ?? '', /line or event longer than 16 MiB/);
    await hostile.allClosed();
  }
});
