// Fixture pairs: a recorded OpenRouter stream (`<name>.sse`) and the exact Anthropic SSE the dialect
// must write for it (`<name>.expected.sse`), replayed through the real upstream stages split at every
// byte offset. `interleaved-tools.sse` is hand-written in OpenRouter's shape (two calls whose
// fragments interleave); the others are recordings shared with tests/stream-pipeline.test.ts.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { anthropicEventStage } from '../../../src/dialects/anthropic/to-anthropic-events.ts';
import { toAnthropicMessage } from '../../../src/dialects/anthropic/to-anthropic-message.ts';
import { upstreamAnswerStage } from '../../../src/openrouter/answer-stage.ts';
import { chain, stageStream } from '../../../src/streams/stage.ts';
import { collectAnswerOf } from '../../helpers/dialect-fixtures.ts';

const dir = new URL('../../fixtures/dialects/anthropic/', import.meta.url);
const inputs = readdirSync(dir).filter((name) => name.endsWith('.sse') && !name.endsWith('.expected.sse'));
const options = { id: 'msg_fixture', model: 'claude-haiku-4-5', estimatedInputTokens: 10 };

function upstream() {
  return upstreamAnswerStage(() => 0);
}

async function toAnthropicSse(chunks: readonly Uint8Array[]): Promise<string> {
  const decoder = new TextDecoder();
  let out = '';
  for await (const bytes of ReadableStream.from(chunks).pipeThrough(stageStream(chain(upstream(), anthropicEventStage(options))))) {
    out += decoder.decode(bytes, { stream: true });
  }
  return out + decoder.decode();
}


test('every input fixture has its expected output', () => {
  assert.deepEqual(inputs.sort(), ['content-multibyte.sse', 'error-after-content-cr.sse', 'interleaved-tools.sse', 'reasoning-crlf.sse', 'tool-calls.sse']);
});

for (const name of inputs) {
  test(`${name}: the Anthropic SSE is exactly the expected bytes at every split`, async () => {
    const bytes = readFileSync(new URL(name, dir));
    const expected = readFileSync(new URL(name.replace(/\.sse$/, '.expected.sse'), dir), 'utf8');
    assert.equal(await toAnthropicSse([bytes]), expected);
    for (let i = 1; i < bytes.length; i++) {
      assert.equal(await toAnthropicSse([bytes.subarray(0, i), bytes.subarray(i)]), expected, `split at byte ${i}`);
    }
  });
}

// The non-stream message from the same recordings, built from the whole answer rather than the SSE events.
const messages: Record<string, unknown> = {
  'content-multibyte.sse': { content: [{ type: 'text', text: 'Grüße aus 東京 🚀!' }], stop_reason: 'end_turn', usage: { input_tokens: 12, output_tokens: 4 } },
  'reasoning-crlf.sse': {
    content: [{ type: 'thinking', thinking: 'Let me think', signature: 'oorp1.cGeADt4qZ3Wqf7G592y2CEGUmiwBslqAiigZzwQlb0Q' }, { type: 'text', text: 'Answer' }],
    stop_reason: 'max_tokens',
    usage: { input_tokens: 12, output_tokens: 4 },
  },
  'tool-calls.sse': {
    content: [
      { type: 'tool_use', id: 'call_EkEA1', name: 'get_weather', input: { city: 'Tokyo' } },
      { type: 'tool_use', id: 'call_mEZc2', name: 'get_time', input: { zone: 'JST' } },
    ],
    stop_reason: 'tool_use',
    usage: { input_tokens: 50, output_tokens: 9 },
  },
  'interleaved-tools.sse': {
    content: [
      { type: 'text', text: 'Checking both.' },
      { type: 'tool_use', id: 'call_a', name: 'read', input: { path: 'a.ts' } },
      { type: 'tool_use', id: 'call_b', name: 'list', input: { dir: 'src' } },
    ],
    stop_reason: 'tool_use',
    usage: { input_tokens: 30, output_tokens: 7 },
  },
};

for (const [name, fields] of Object.entries(messages)) {
  test(`${name}: the non-stream message`, async () => {
    const answer = await collectAnswerOf(readFileSync(new URL(name, dir)));
    assert.ok(!('error' in answer));
    assert.deepEqual(toAnthropicMessage(answer, { id: 'msg_1', model: 'claude-haiku-4-5' }), {
      id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-haiku-4-5', stop_sequence: null, ...(fields as object),
    });
  });
}
