// Replays recorded OpenRouter streams (tests/fixtures/openrouter/*.sse) through the real stages, split at every
// byte offset, and checks that the Ollama NDJSON and the /v1 SSE relay come out identical each time.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { answerStage, upstreamAnswerStage } from '../../src/openrouter/answer-stage.ts';
import { openAISseEncoderStage } from '../../src/dialects/openai/to-openai-sse.ts';
import { ndjsonEncoderStage } from '../../src/streams/ndjson-encoder.ts';
import { chatLineFormat, ollamaLineStage } from '../../src/dialects/ollama/to-ollama-lines.ts';
import { sseEventStage } from '../../src/streams/sse-parser.ts';
import { chain, stageStream } from '../../src/streams/stage.ts';
import { utf8DecodeStage } from '../../src/streams/utf8-decode.ts';

const fixture = (name: string): Uint8Array => readFileSync(new URL(`../fixtures/openrouter/${name}`, import.meta.url));
const frozenClock = { monotonic: () => 1000, wall: () => Date.UTC(2026, 0, 1) };

/** Each stage as its own TransformStream. */
function events(chunks: readonly Uint8Array[]) {
  return ReadableStream.from(chunks)
    .pipeThrough(stageStream(utf8DecodeStage()))
    .pipeThrough(stageStream(sseEventStage()))
    .pipeThrough(stageStream(answerStage(() => 0)));
}

async function text(stream: ReadableStream<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let out = '';
  for await (const chunk of stream) out += decoder.decode(chunk, { stream: true });
  return out + decoder.decode();
}

async function toOllama(chunks: readonly Uint8Array[]): Promise<string> {
  const lines = events(chunks).pipeThrough(stageStream(ollamaLineStage(chatLineFormat('m'), { startedAt: 1000, headersAt: 1000 }, frozenClock)));
  return text(lines.pipeThrough(stageStream(ndjsonEncoderStage())));
}

/** The same stages fused into two TransformStreams, as the proxy runs them. */
async function toOllamaFused(chunks: readonly Uint8Array[]): Promise<string> {
  const upstream = upstreamAnswerStage(() => 0);
  const downstream = chain(ollamaLineStage(chatLineFormat('m'), { startedAt: 1000, headersAt: 1000 }, frozenClock), ndjsonEncoderStage());
  return text(ReadableStream.from(chunks).pipeThrough(stageStream(upstream)).pipeThrough(stageStream(downstream)));
}

async function toOpenAISse(chunks: readonly Uint8Array[]): Promise<string> {
  return text(events(chunks).pipeThrough(stageStream(openAISseEncoderStage())));
}

const created_at = '2026-01-01T00:00:00.000Z';
const message = (fields: Record<string, unknown>) => ({ model: 'm', created_at, message: { role: 'assistant', ...fields }, done: false });
const final = (done_reason: string, prompt: number, evals: number) => ({
  model: 'm', created_at, message: { role: 'assistant', content: '' }, done: true, done_reason,
  total_duration: 1, load_duration: 1, prompt_eval_count: prompt, prompt_eval_duration: 1, eval_count: evals, eval_duration: 1,
});

const expectations: Record<string, unknown[]> = {
  'content-multibyte.sse': [
    message({ content: 'Grüße' }), message({ content: ' aus' }), message({ content: ' 東京' }), message({ content: ' 🚀!' }), final('stop', 12, 4),
  ],
  'tool-calls.sse': [
    message({
      content: '',
      tool_calls: [
        { id: 'call_EkEA1', function: { index: 0, name: 'get_weather', arguments: { city: 'Tokyo' } } },
        { id: 'call_mEZc2', function: { index: 1, name: 'get_time', arguments: { zone: 'JST' } } },
      ],
    }),
    final('stop', 50, 9),
  ],
  'reasoning-crlf.sse': [
    message({ content: '', thinking: 'Let me' }), message({ content: '', thinking: ' think' }), message({ content: 'Answer' }), final('length', 12, 4),
  ],
  'error-after-content-cr.sse': [message({ content: 'Partial' }), { error: 'Provider returned error (Chutes): upstream worker crashed' }],
};

for (const [name, expected] of Object.entries(expectations)) {
  test(`${name}: Ollama lines are identical whatever the byte split`, async () => {
    const bytes = fixture(name);
    const whole = await toOllama([bytes]);
    assert.deepEqual(whole.trimEnd().split('\n').map((line) => JSON.parse(line)), expected);
    for (let i = 1; i < bytes.length; i++) {
      assert.equal(await toOllama([bytes.subarray(0, i), bytes.subarray(i)]), whole, `split at byte ${i}`);
    }
    assert.equal(await toOllama([...bytes].map((byte) => Uint8Array.of(byte))), whole, 'one byte at a time');
  });

  test(`${name}: fused stages give the same bytes as separate streams, whatever the byte split`, async () => {
    const bytes = fixture(name);
    const whole = await toOllama([bytes]);
    for (let i = 1; i < bytes.length; i++) {
      assert.equal(await toOllamaFused([bytes.subarray(0, i), bytes.subarray(i)]), whole, `split at byte ${i}`);
    }
  });

  test(`${name}: the /v1 relay is identical whatever the byte split`, async () => {
    const bytes = fixture(name);
    const whole = await toOpenAISse([bytes]);
    for (let i = 1; i < bytes.length; i++) {
      assert.equal(await toOpenAISse([bytes.subarray(0, i), bytes.subarray(i)]), whole, `split at byte ${i}`);
    }
  });
}

test('the /v1 relay passes every data payload through untouched and ends with [DONE]', async () => {
  const bytes = fixture('tool-calls.sse');
  const upstreamData = new TextDecoder().decode(bytes).split('\n\n').filter((block) => block.startsWith('data: '));
  assert.equal(await toOpenAISse([bytes]), `${upstreamData.join('\n\n')}\n\n`);
});

test('a stream that ends without [DONE] or a finish reason is an error, not an empty success', async () => {
  const body = new TextEncoder().encode('data: {"choices":[{"index":0,"delta":{"content":"Hi"}}]}\n\n');
  const lines = (await toOllama([body])).trimEnd().split('\n').map((line) => JSON.parse(line));
  assert.equal(lines.length, 2);
  assert.match(lines[1].error, /closed the stream before it finished/);
});

test('malformed JSON in a data event ends the stream with an error line', async () => {
  const body = new TextEncoder().encode('data: {"choices":[{"index":0,"delta":{"content":"Hi"}}]}\n\ndata: {not json\n\n');
  const lines = (await toOllama([body])).trimEnd().split('\n').map((line) => JSON.parse(line));
  assert.match(lines[1].error, /malformed JSON/);
});
