// What reaches OpenRouter: each Ollama request below goes through the real proxy, and the body the
// offline OpenRouter recorded (fake.chatRequests()) must be exactly the expected OpenAI request.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { toFillInTheMiddlePrompt } from '../../src/dialects/fill-in-the-middle.ts';
import { ndjson, post, startProxy } from '../helpers/harness.ts';
import { JPEG_BASE64, lastUpstreamChat, PNG_BASE64, upstreamChats, WEATHER_TOOL } from '../helpers/fidelity-helpers.ts';

const GIF_BASE64 = Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1').toString('base64');
const WEBP_BASE64 = Buffer.from('RIFF\x24\x00\x00\x00WEBPVP8 ', 'latin1').toString('base64');
const STREAM = { stream: true, stream_options: { include_usage: true } };
const user = (content: string) => ({ role: 'user', content });

interface Case {
  name: string;
  path: '/api/chat' | '/api/generate';
  /** The client's body; `model` defaults to a model that can serve every case. */
  body: Record<string, unknown>;
  /** The upstream body, apart from `model` and the stream fields. */
  expected: Record<string, unknown>;
}

const OPTIONS = {
  temperature: 0.3, top_p: 0.8, top_k: 20, min_p: 0.05, num_predict: 64, stop: ['###', 'END'], seed: 1234,
  repeat_penalty: 1.15, presence_penalty: 0.4, frequency_penalty: 0.6,
};
// Runner-only and obsolete options clients still send; none of them means anything upstream.
const IGNORED_OPTIONS = {
  num_ctx: 8192, num_gpu: 99, main_gpu: 0, num_batch: 512, num_thread: 8, use_mmap: true, num_keep: 4, typical_p: 1,
  repeat_last_n: 64, mirostat: 0, mirostat_eta: 0.1, mirostat_tau: 5, tfs_z: 1, numa: false, low_vram: false, f16_kv: true,
  logits_all: false, vocab_only: false, use_mlock: false, embedding_only: false, penalize_newline: true,
};
const MAPPED = {
  temperature: 0.3, top_p: 0.8, top_k: 20, min_p: 0.05, max_tokens: 64, stop: ['###', 'END'], seed: 1234,
  repetition_penalty: 1.15, presence_penalty: 0.4, frequency_penalty: 0.6,
};

const cases: Case[] = [
  {
    name: 'options: every sampling option mapped, runner-only and obsolete keys dropped',
    path: '/api/chat',
    body: { messages: [user('hi')], options: { ...OPTIONS, ...IGNORED_OPTIONS }, keep_alive: '1h' },
    expected: { messages: [user('hi')], ...MAPPED },
  },
  { name: 'think true', path: '/api/chat', body: { messages: [user('q')], think: true }, expected: { messages: [user('q')], reasoning: { enabled: true } } },
  { name: 'think false', path: '/api/chat', body: { messages: [user('q')], think: false }, expected: { messages: [user('q')], reasoning: { enabled: false } } },
  ...(['low', 'medium', 'high', 'max'] as const).map((level): Case => ({
    name: `think "${level}"`, path: '/api/chat', body: { messages: [user('q')], think: level }, expected: { messages: [user('q')], reasoning: { effort: level } },
  })),
  { name: 'format "json"', path: '/api/chat', body: { messages: [user('q')], format: 'json' }, expected: { messages: [user('q')], response_format: { type: 'json_object' } } },
  {
    name: 'format as a JSON schema',
    path: '/api/chat',
    body: { messages: [user('q')], format: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] } },
    expected: { messages: [user('q')], response_format: { type: 'json_schema', json_schema: { name: 'response', schema: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] } } } },
  },
  {
    name: 'tools as OpenAI tools; a tool without "type" gets "function"',
    path: '/api/chat',
    body: { messages: [user('q')], tools: [WEATHER_TOOL, { function: { name: 'now', parameters: { type: 'object', properties: {} } } }] },
    expected: { messages: [user('q')], tools: [WEATHER_TOOL, { type: 'function', function: { name: 'now', parameters: { type: 'object', properties: {} } } }] },
  },
  {
    name: 'images: MIME sniffed from the bytes (png, jpeg, gif, webp); a data URL prefix is accepted',
    path: '/api/chat',
    body: { messages: [{ role: 'user', content: 'look', images: [PNG_BASE64, JPEG_BASE64, GIF_BASE64, `data:image/png;base64,${WEBP_BASE64}`] }] },
    expected: {
      messages: [{
        role: 'user',
        content: [
          { type: 'text', text: 'look' },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_BASE64}` } },
          { type: 'image_url', image_url: { url: `data:image/jpeg;base64,${JPEG_BASE64}` } },
          { type: 'image_url', image_url: { url: `data:image/gif;base64,${GIF_BASE64}` } },
          { type: 'image_url', image_url: { url: `data:image/webp;base64,${WEBP_BASE64}` } },
        ],
      }],
    },
  },
  {
    name: 'history: tool results paired by tool_call_id, by tool_name, and by position when they carry neither',
    path: '/api/chat',
    body: {
      messages: [
        { role: 'system', content: 'sys' },
        user('plan a trip'),
        {
          role: 'assistant', content: '', thinking: 'I need data',
          tool_calls: [
            { id: 'call_a', function: { index: 0, name: 'get_weather', arguments: { city: 'Oslo' } } },
            { function: { name: 'get_time', arguments: { zone: 'CET' } } },
            { type: 'function', function: { name: 'get_news', arguments: '{"topic":"rail"}' } },
          ],
        },
        { role: 'tool', content: 'rainy', tool_call_id: 'call_a' },
        { role: 'tool', content: '10:00', tool_name: 'get_time' },
        { role: 'tool', content: 'strike' },
        { role: 'assistant', content: 'Take an umbrella.' },
        { role: 'tool', content: 'late result' },
        user('thanks'),
      ],
    },
    expected: {
      messages: [
        { role: 'system', content: 'sys' },
        user('plan a trip'),
        {
          role: 'assistant', content: null,
          tool_calls: [
            { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
            { id: 'call_2_1', type: 'function', function: { name: 'get_time', arguments: '{"zone":"CET"}' } },
            { id: 'call_2_2', type: 'function', function: { name: 'get_news', arguments: '{"topic":"rail"}' } },
          ],
        },
        { role: 'tool', content: 'rainy', tool_call_id: 'call_a' },
        { role: 'tool', content: '10:00', tool_call_id: 'call_2_1' },
        { role: 'tool', content: 'strike', tool_call_id: 'call_2_2' },
        { role: 'assistant', content: 'Take an umbrella.' },
        // A result that answers no call would be rejected upstream; the model still sees it.
        { role: 'user', content: 'Tool result: late result' },
        user('thanks'),
      ],
    },
  },
  {
    name: 'missing content is "", roles are lower-cased',
    path: '/api/chat',
    body: { messages: [{ role: 'SYSTEM' }, { role: 'User', content: 'x' }] },
    expected: { messages: [{ role: 'system', content: '' }, user('x')] },
  },
  {
    name: 'generate: system, prompt, images, format, options and think',
    path: '/api/generate',
    body: { prompt: 'describe', system: 'terse', images: [JPEG_BASE64], format: 'json', think: 'low', options: { ...OPTIONS, num_ctx: 4096 } },
    expected: {
      messages: [{ role: 'system', content: 'terse' }, { role: 'user', content: [{ type: 'text', text: 'describe' }, { type: 'image_url', image_url: { url: `data:image/jpeg;base64,${JPEG_BASE64}` } }] }],
      response_format: { type: 'json_object' }, reasoning: { effort: 'low' }, ...MAPPED,
    },
  },
  {
    name: 'generate: raw sends the prompt untemplated',
    path: '/api/generate',
    body: { prompt: '<|user|>hi<|assistant|>', raw: true },
    expected: { messages: [user('<|user|>hi<|assistant|>')] },
  },
  {
    name: 'generate: suffix becomes a fill-in-the-middle request',
    path: '/api/generate',
    body: { prompt: 'def f(', suffix: '):\n  pass', raw: true },
    expected: { messages: [user(toFillInTheMiddlePrompt('def f(', '):\n  pass'))] },
  },
];

test('Ollama requests arrive upstream exactly as intended', async (t) => {
  // One proxy for the whole table; it closes after the last subtest.
  const proxy = await startProxy(t);
  for (const { name, path, body, expected } of cases) {
    for (const stream of [false, true]) {
      await t.test(`${name} (${stream ? 'streamed' : 'stream: false'})`, async () => {
        proxy.fake.reset();
        // A model that can serve every case: tools and images (the fake ignores reasoning it cannot do).
        const response = await post(proxy, path, { model: 'gemini-2.0-flash-exp:free', stream, ...body });
        assert.equal(response.status, 200, response.text);
        const lines = stream ? ndjson(response.text) : [response.json()];
        assert.equal(lines.at(-1).done, true);
        // Ollama's stream flag is the client's business: upstream is always streamed, with usage.
        assert.deepEqual(upstreamChats(proxy), [{ model: 'google/gemini-2.0-flash-exp:free', ...expected, ...STREAM }]);
      });
    }
  }
});

describe('/v1 requests keep their fields', () => {
  test('/v1/completions: prompt as a user turn, suffix as fill-in-the-middle, the rest untouched', async (t) => {
    const proxy = await startProxy(t);
    const response = await post(proxy, '/v1/completions', { model: 'llama3.2', prompt: 'a = ', suffix: '\nprint(a)', max_tokens: 8, temperature: 0, echo: false, logprobs: null });
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(lastUpstreamChat(proxy), {
      model: 'google/gemini-2.0-flash-exp:free', max_tokens: 8, temperature: 0, stream: false,
      messages: [user(toFillInTheMiddlePrompt('a = ', '\nprint(a)'))],
    });
    assert.equal(response.json().choices[0].text.startsWith('Echo: <prefix>a = </prefix>'), true);
  });
});
