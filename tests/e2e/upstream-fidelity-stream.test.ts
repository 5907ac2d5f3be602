// What comes back from OpenRouter: recorded SSE streams run through the proxy's own stages (bytes →
// text → SSE events → chat parts → Ollama lines), split at every byte offset, and through the
// whole proxy with the `ollama` client when the upstream misbehaves.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Ollama } from 'ollama';
import { upstreamAnswerStage } from '../../src/openrouter/answer-stage.ts';
import { chatLineFormat, generateLineFormat, ollamaLineStage, type OllamaLine, type OllamaLineFormat } from '../../src/dialects/ollama/to-ollama-lines.ts';
import { stageStream } from '../../src/streams/stage.ts';
import { FREE_MODEL_NAMES } from '../helpers/fidelity-helpers.ts';
import { APP_ORIGIN, startProxy } from '../helpers/harness.ts';

const event = (payload: unknown) => `data: ${JSON.stringify(payload)}\n\n`;
const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
  event({ id: 'gen-1', provider: 'Chutes', model: 'qwen/qwen3-coder:free', object: 'chat.completion.chunk', created: 1750000000, choices: [{ index: 0, delta, finish_reason: finish }] });
const usage = (prompt: number, completion: number) =>
  event({ id: 'gen-1', object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion } });

/** Two calls whose argument fragments interleave, with a multibyte character and CRLF framing. */
const TWO_CALLS = [
  ': OPENROUTER PROCESSING\n\n',
  chunk({ role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'call_w', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":"Zü' } }] }),
  chunk({ tool_calls: [{ index: 1, id: 'call_t', type: 'function', function: { name: 'get_time', arguments: '{"zone"' } }] }).replaceAll('\n', '\r\n'),
  chunk({ tool_calls: [{ index: 0, function: { arguments: 'rich","days":3}' } }] }),
  chunk({ tool_calls: [{ index: 1, function: { arguments: ':"CET"}' } }] }),
  chunk({}, 'tool_calls'),
  usage(12, 5),
  'data: [DONE]\n\n',
].join('');

/** Reasoning, then content cut off by max_tokens. */
const THINK_THEN_LENGTH = [
  chunk({ role: 'assistant', content: '', reasoning: 'Let me ' }),
  chunk({ content: '', reasoning: 'think.' }),
  chunk({ content: 'The answer' }),
  chunk({ content: ' is' }, 'length'),
  usage(3, 4),
  'data: [DONE]\n\n',
].join('');

/** A provider that leaves out `index` on tool-call fragments (OpenRouter always sends it; others do not). */
const NO_INDEX = [
  chunk({ tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'a', arguments: '{"x":' } }] }),
  chunk({ tool_calls: [{ function: { arguments: '1}' } }] }),
  chunk({ tool_calls: [{ id: 'call_2', type: 'function', function: { name: 'b', arguments: '{}' } }] }),
  chunk({}, 'tool_calls'),
  'data: [DONE]\n\n',
].join('');

const clock = { monotonic: () => 1000, wall: () => Date.UTC(2026, 0, 1) };

/** Runs byte chunks through the same stages the proxy uses, dropping the timing fields. */
async function toLines(chunks: Uint8Array[], format: OllamaLineFormat = chatLineFormat('qwen3-coder')): Promise<OllamaLine[]> {
  const lines = ReadableStream.from(chunks)
    .pipeThrough(stageStream(upstreamAnswerStage()))
    .pipeThrough(stageStream(ollamaLineStage(format, { startedAt: 0, headersAt: 0 }, clock)));
  // Stages carry batches (one per network read); the lines themselves are what must not change.
  const out = (await Array.fromAsync(lines)).flat();
  return out.map(({ created_at: _c, total_duration: _t, load_duration: _l, prompt_eval_duration: _p, eval_duration: _e, ...rest }) => rest);
}

/** The same answer whatever the network does: in one piece, split at each byte offset, and byte by byte. */
async function assertEverySplit(fixture: string, expected: OllamaLine[], format?: OllamaLineFormat): Promise<void> {
  const bytes = new TextEncoder().encode(fixture);
  assert.deepEqual(await toLines([bytes], format), expected);
  for (let offset = 1; offset < bytes.length; offset++) {
    assert.deepEqual(await toLines([bytes.subarray(0, offset), bytes.subarray(offset)], format), expected, `split at byte ${offset}`);
  }
  assert.deepEqual(await toLines(Array.from(bytes, (byte) => Uint8Array.of(byte)), format), expected);
}

describe('upstream streams become Ollama lines', () => {
  test('interleaved tool-call fragments come out as one line with both calls whole', async () => {
    await assertEverySplit(TWO_CALLS, [
      {
        model: 'qwen3-coder',
        message: {
          role: 'assistant', content: '',
          tool_calls: [
            { id: 'call_w', function: { index: 0, name: 'get_weather', arguments: { city: 'Zürich', days: 3 } } },
            { id: 'call_t', function: { index: 1, name: 'get_time', arguments: { zone: 'CET' } } },
          ],
        },
        done: false,
      },
      { model: 'qwen3-coder', message: { role: 'assistant', content: '' }, done: true, done_reason: 'stop', prompt_eval_count: 12, eval_count: 5 },
    ]);
  });

  test('reasoning becomes thinking, apart from content; a max_tokens cut is done_reason "length"', async () => {
    const final = { done: true, done_reason: 'length', prompt_eval_count: 3, eval_count: 4 };
    await assertEverySplit(THINK_THEN_LENGTH, [
      { model: 'm', message: { role: 'assistant', content: '', thinking: 'Let me ' }, done: false },
      { model: 'm', message: { role: 'assistant', content: '', thinking: 'think.' }, done: false },
      { model: 'm', message: { role: 'assistant', content: 'The answer' }, done: false },
      { model: 'm', message: { role: 'assistant', content: ' is' }, done: false },
      { model: 'm', message: { role: 'assistant', content: '' }, ...final },
    ], chatLineFormat('m'));
    await assertEverySplit(THINK_THEN_LENGTH, [
      { model: 'g', response: '', thinking: 'Let me ', done: false },
      { model: 'g', response: '', thinking: 'think.', done: false },
      { model: 'g', response: 'The answer', done: false },
      { model: 'g', response: ' is', done: false },
      { model: 'g', response: '', ...final },
    ], generateLineFormat('g'));
  });

  test('fragments without index: a new id starts a call, a fragment without one continues it', async () => {
    const lines = await toLines([new TextEncoder().encode(NO_INDEX)]);
    assert.deepEqual((lines[0]?.message as { tool_calls: unknown }).tool_calls, [
      { id: 'call_1', function: { index: 0, name: 'a', arguments: { x: 1 } } },
      { id: 'call_2', function: { index: 1, name: 'b', arguments: {} } },
    ]);
  });

  test('arguments that are not JSON end the stream with an error line, not a crash', async () => {
    const broken = [chunk({ tool_calls: [{ index: 0, id: 'call_x', function: { name: 'f', arguments: '{"a":' } }] }), chunk({}, 'tool_calls'), 'data: [DONE]\n\n'].join('');
    assert.deepEqual(await toLines([new TextEncoder().encode(broken)]), [
      { error: 'upstream returned tool call arguments that are not valid JSON: {"a":' },
    ]);
  });
});

describe('a misbehaving upstream, through the whole proxy', () => {
  /** Serves every chat completion from a recorded SSE body; everything else goes to the offline OpenRouter. */
  function recordedChat(body: string): typeof fetch {
    return async (input, init) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (!url.endsWith('/chat/completions')) return fetch(input, init);
      return new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream' } });
    };
  }

  test('invalid tool-call arguments: a clear error for the ollama client, streamed or not', async (t) => {
    const broken = [chunk({ tool_calls: [{ index: 0, id: 'call_x', type: 'function', function: { name: 'get_weather', arguments: '{"city": Paris}' } }] }), chunk({}, 'tool_calls'), 'data: [DONE]\n\n'].join('');
    const proxy = await startProxy(t, { fetch: recordedChat(broken) });
    const ollama = new Ollama({ host: APP_ORIGIN, fetch: proxy.fetch });
    const request = { model: 'qwen3-coder:free', messages: [{ role: 'user', content: 'x' }] };
    const message = 'upstream returned tool call arguments that are not valid JSON: {"city": Paris}';
    await assert.rejects(async () => {
      for await (const _ of await ollama.chat({ ...request, stream: true })) { /* the error line throws */ }
    }, { message });
    await assert.rejects(ollama.chat(request), { name: 'ResponseError', status_code: 502, error: message });
    // The proxy is still serving.
    assert.deepEqual((await ollama.list()).models.map((model) => model.name), FREE_MODEL_NAMES);
  });

  test('the streamed tool calls of the recording reach the ollama client whole', async (t) => {
    const proxy = await startProxy(t, { fetch: recordedChat(TWO_CALLS) });
    const reply = await new Ollama({ host: APP_ORIGIN, fetch: proxy.fetch }).chat({ model: 'qwen3-coder:free', messages: [{ role: 'user', content: 'x' }] });
    assert.deepEqual(reply.message.tool_calls?.map((call) => call.function.arguments), [{ city: 'Zürich', days: 3 }, { zone: 'CET' }]);
    assert.equal(reply.prompt_eval_count, 12);
    assert.equal(reply.eval_count, 5);
  });
});
