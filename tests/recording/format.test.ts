// The pure parts of recording: the file format, file names, redaction, normalising and miss messages.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FORMAT, fromRecordedChunk, fromRecordingText, recordingFileName, toRecordedChunk, toRecordingText, type Recording } from '../../src/recording/format.ts';
import { readRecordingSet } from '../../src/recording/recording-set.ts';
import { DEFAULT_IGNORE } from '../../src/recording/ignore-rules.ts';
import { differences, matchKey, normaliseRequest, type MatchMode } from '../../src/recording/match.ts';
import { indexRecordings } from '../../src/recording/recording-index.ts';

const matching = (mode: MatchMode) => ({ mode, ignore: DEFAULT_IGNORE });
import { findSecrets, redactBody, redactText } from '../../src/recording/redact.ts';

const SAMPLE: Recording = {
  format: 'ollama-openrouter-proxy/recording@1',
  request: { method: 'POST', path: '/chat/completions', body: { model: 'qwen/qwen3-coder:free', messages: [{ role: 'user', content: 'a "chunks": [] b' }] } },
  response: { status: 200, headers: { 'content-type': 'text/event-stream' } },
  end: { kind: 'complete' },
  chunks: [{ ms: 0, text: ': OPENROUTER PROCESSING\n\n' }, { ms: 12, base64: 'AAE=' }],
};

test('a recording round-trips, one chunk per line, even when a body contains the chunks marker', () => {
  const text = toRecordingText(SAMPLE);
  assert.deepEqual(fromRecordingText(text), SAMPLE);
  assert.ok(text.includes('\n    {"ms":0,"text":": OPENROUTER PROCESSING\\n\\n"},\n    {"ms":12,"base64":"AAE="}\n  ]\n}\n'));
  assert.deepEqual(fromRecordingText(toRecordingText({ ...SAMPLE, chunks: [] })).chunks, []);
});

test('a chunk that splits a multibyte character is kept byte for byte as base64', () => {
  const bytes = new TextEncoder().encode('añb');
  for (let cut = 0; cut <= bytes.length; cut++) {
    const parts = [bytes.slice(0, cut), bytes.slice(cut)].map((part) => fromRecordedChunk(toRecordedChunk(0, part)));
    assert.equal(new TextDecoder().decode(Buffer.concat(parts)), 'añb', `cut at ${cut}`);
  }
  assert.deepEqual(toRecordedChunk(3, bytes.slice(0, 2)), { ms: 3, base64: 'YcM=' });
});

test('invalid recordings say what is wrong', () => {
  const good = JSON.parse(toRecordingText(SAMPLE)) as Record<string, unknown>;
  const CASES: Array<[string, RegExp]> = [
    ['{', /not valid JSON/],
    ['[]', /"format" must be/],
    [JSON.stringify({ ...good, format: 'x' }), /"format" must be/],
    [JSON.stringify({ ...good, request: { method: 'POST', path: 'chat' } }), /"path" starting with/],
    [JSON.stringify({ ...good, end: { kind: 'done' } }), /"end.kind" must be/],
    [JSON.stringify({ ...good, response: undefined }), /"response" is missing/],
    [JSON.stringify({ ...good, response: { status: '200', headers: {} } }), /integer "status"/],
    [JSON.stringify({ ...good, chunks: [{ ms: -1, text: '' }] }), /chunk 0 needs/],
    [JSON.stringify({ ...good, chunks: [{ ms: 1 }] }), /chunk 0 needs/],
  ];
  for (const [text, expected] of CASES) assert.throws(() => fromRecordingText(text), expected, text);
});

test('file names sort in time order and say what the exchange was', () => {
  const CASES: Array<[number, string, string, unknown, string]> = [
    [7, 'POST', '/chat/completions', { model: 'qwen/qwen3-coder:free' }, '0007-chat-qwen3-coder-free.json'],
    [1, 'GET', '/models?output_modalities=all', null, '0001-models.json'],
    [12, 'POST', '/embeddings', { model: 'nvidia/embed-v1:free' }, '0012-embeddings-embed-v1-free.json'],
    [3, 'GET', '/key', null, '0003-key.json'],
    [4, 'GET', '/', null, '0004-get.json'],
  ];
  for (const [seq, method, path, body, expected] of CASES) assert.equal(recordingFileName(seq, method, path, body), expected);
});

test('redaction removes keys and bearer tokens and keeps everything else', () => {
  const CASES: Array<[string, string]> = [
    ['key sk-or-v1-0123456789abcdef0123 here', 'key [redacted] here'],
    ['Authorization: Bearer eyJhbGciOi.x-y_z', 'Authorization: Bearer [redacted]'],
    ['sk-ant-api03-AAAAAAAAAAAAAAAAAAAA', '[redacted]'],
    ['task-list and sk-short stay', 'task-list and sk-short stay'],
    ['the secret hunter2x is listed', 'the secret [redacted] is listed'],
    // What agent sessions paste into tool results: .env lines, shell output, other services' tokens.
    ['GITHUB_TOKEN=ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789', 'GITHUB_TOKEN=[redacted]'],
    ['AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'AWS_SECRET_ACCESS_KEY=[redacted]'],
    ['id AKIAIOSFODNN7EXAMPLE', 'id [redacted]'],
    ['AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY', '[redacted]'],
    ['Authorization: Basic dXNlcjpwYXNzd29yZA==', 'Authorization: Basic [redacted]'],
    ['slack xoxb-123456789012-1234567890123-AbCdEfGhIjKl', 'slack [redacted]'],
    ['jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_X', 'jwt [redacted]'],
    ['stripe sk_live_51HabcdefghijklmnopqrstuvWXYZ', 'stripe [redacted]'],
    ['DB_PASSWORD: hunter2hunter2', 'DB_PASSWORD: [redacted]'],
    // Prose and token counts are not secrets.
    ['the primary key: customer_id', 'the primary key: customer_id'],
    ['"input_tokens": 12345678, max_tokens: 1024', '"input_tokens": 12345678, max_tokens: 1024'],
  ];
  for (const [input, expected] of CASES) assert.equal(redactText(input, ['hunter2x']), expected, input);
  assert.deepEqual(redactBody({ api_key: 'abc', messages: [{ content: 'Bearer 0123456789' }], n: 1 }), { api_key: '[redacted]', messages: [{ content: 'Bearer [redacted]' }], n: 1 });
  assert.deepEqual(redactBody({ client_secret: 'abc12345678', refresh_token: 'r1234567890', max_tokens: 5 }), { client_secret: '[redacted]', refresh_token: '[redacted]', max_tokens: 5 });
  assert.deepEqual(findSecrets({ apiKey: 'abc', text: 'Bearer tok.en-12345 and sk-or-v1-0123456789abcdef' }), ['abc', 'sk-or-v1-0123456789abcdef', 'tok.en-12345']);
});

test('normalising ignores key order, and the model only in free mode', () => {
  const a = { method: 'post', path: '/chat/completions', body: { model: 'a', messages: [{ role: 'user', content: 'x' }], stream: true } };
  const b = { method: 'POST', path: '/chat/completions', body: { stream: true, messages: [{ content: 'x', role: 'user' }], model: 'b', models: ['c'] } };
  assert.equal(matchKey(normaliseRequest(a, matching('free'))), matchKey(normaliseRequest(b, matching('free'))));
  assert.notEqual(matchKey(normaliseRequest(a, matching('strict'))), matchKey(normaliseRequest(b, matching('strict'))));
  assert.deepEqual(differences({ a: [1, 2], b: 'x' }, { a: [1, 3], c: true }), ['a[1]: recorded 2, got 3', 'b: recorded "x", got nothing', 'c: recorded nothing, got true']);
});

test('a miss names the closest recording with the same route', () => {
  const recordings = [
    { file: '0002-chat-a.json', recording: { ...SAMPLE, request: { ...SAMPLE.request, body: { messages: [{ role: 'user', content: 'x' }], temperature: 1 } } } },
    { file: '0003-chat-b.json', recording: { ...SAMPLE, request: { ...SAMPLE.request, body: { messages: [{ role: 'user', content: 'y' }] } } } },
  ];
  const request = { method: 'POST', path: '/chat/completions', body: { messages: [{ role: 'user', content: 'z' }] } };
  const index = indexRecordings(recordings, matching('free'));
  const explain = (wanted: typeof request) => index.explainMiss(index.lookup(wanted).normalised);
  assert.equal(explain(request), 'no recording matches POST /chat/completions; the closest recording is 0003-chat-b.json, which differs at messages[0].content: recorded "y", got "z"');
  assert.match(explain({ method: 'POST', path: '/embeddings', body: {} } as typeof request), /no recording has that method and path/);
});

test('a recording set is read in recorded order, past 9999 exchanges too', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'recording-order-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const recording = (content: string) => toRecordingText({ format: FORMAT, request: { method: 'POST', path: '/chat/completions', body: { content } }, response: { status: 200, headers: {} }, end: { kind: 'complete' }, chunks: [] });
  for (const [file, content] of [['10000-chat-m.json', 'last'], ['9999-chat-m.json', 'second'], ['0001-chat-m.json', 'first']]) writeFileSync(join(dir, file as string), recording(content as string));
  assert.deepEqual(readRecordingSet(dir).recordings.map((entry) => entry.file), ['0001-chat-m.json', '9999-chat-m.json', '10000-chat-m.json']);
});
