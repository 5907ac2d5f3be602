// Working with a recording set: misses, hand edits, corrupt files, strict matching, redaction and
// write failures.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { generateCatalog } from '../../src/fake-openrouter/server.ts';
import { post, startProxy } from '../helpers/harness.ts';
import { KEY, UNREACHABLE, recordingProxy, replayingProxy, runSession, scratch, waitForFiles, type Step } from './session.ts';

const STEPS: Step[] = [
  { name: 'ollama chat', path: '/api/chat', body: { model: 'llama3', stream: false, messages: [{ role: 'user', content: 'hello' }] } },
  { name: 'openai chat', path: '/v1/chat/completions', body: { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] } },
];

/** Records STEPS (plus `extra`) into a fresh folder and returns it once every file is written. */
async function recordSet(t: TestContext, extra: Step[] = []): Promise<string> {
  const dir = scratch(t, 'recording-');
  const live = await recordingProxy(t, dir);
  await runSession(live, [...STEPS, ...extra], true);
  await waitForFiles(dir, live.fake.requests.length);
  return dir;
}

const chatFile = (dir: string, nth: number) => join(dir, readdirSync(dir).filter((file) => file.includes('-chat-')).sort()[nth] as string);

test('a miss is a 404 in the client API\'s own shape, naming the closest recording and what differed', async (t) => {
  const dir = await recordSet(t);
  const replay = await replayingProxy(t, dir);
  const ollama = await post(replay, '/api/chat', { model: 'llama3', stream: false, messages: [{ role: 'user', content: 'goodbye' }] });
  assert.equal(ollama.status, 404);
  const message = ollama.json().error as string;
  assert.equal(typeof message, 'string');
  assert.match(message, /no recording matches POST \/chat\/completions/);
  assert.match(message, /closest recording is \d{4}-chat-[a-z0-9-]+\.json/);
  assert.match(message, /messages\[0\]\.content: recorded "hello", got "goodbye"/);
  const openai = await post(replay, '/v1/chat/completions', { model: 'gpt-4o', temperature: 0.5, messages: [{ role: 'user', content: 'hi' }] });
  assert.equal(openai.status, 404);
  assert.match(openai.json().error.message, /\d{4}-chat-[a-z0-9-]+\.json, which differs at temperature: recorded nothing, got 0\.5/);
  // A miss is not a model failure: one attempt, no fallback walk, no cooldown.
  assert.equal(replay.store.activeCooldowns(Date.now()).length, 0);
  // The recorded requests are still served, in any key order.
  const hit = await post(replay, '/v1/chat/completions', { messages: [{ content: 'hi', role: 'user' }], model: 'gpt-4o' });
  assert.equal(hit.status, 200);
});

test('a hand-edited answer is served as edited, and an edited 429 is handled like a live one', async (t) => {
  const dir = await recordSet(t);
  const first = chatFile(dir, 0);
  writeFileSync(first, readFileSync(first, 'utf8').replaceAll('Echo:', 'Edited:'));
  const second = chatFile(dir, 1);
  const edited = JSON.parse(readFileSync(second, 'utf8'));
  edited.response = { status: 429, headers: { 'content-type': 'application/json', 'retry-after': '30' } };
  edited.chunks = [{ ms: 0, text: JSON.stringify({ error: { code: 429, message: 'Rate limit exceeded: hand-made' } }) }];
  writeFileSync(second, JSON.stringify(edited, null, 2));

  const replay = await replayingProxy(t, dir);
  const ollama = await post(replay, '/api/chat', STEPS[0]?.body);
  assert.equal(ollama.json().message.content, 'Edited: hello');
  const openai = await post(replay, '/v1/chat/completions', STEPS[1]?.body);
  assert.equal(openai.status, 429);
  assert.match(openai.json().error.message, /hand-made/);
  assert.ok(replay.store.activeCooldowns(Date.now()).length > 0, 'the 429 cooled the model down, as a live one would');
});

test('a corrupt file is an error at startup naming it, and the other recordings are still served', async (t) => {
  const dir = await recordSet(t);
  writeFileSync(join(dir, '0099-chat-broken.json'), '{"format": "ollama-openrouter-proxy/recording@1", "request": ');
  writeFileSync(join(dir, '0100-chat-wrong.json'), JSON.stringify({ format: 'ollama-openrouter-proxy/recording@1', request: { method: 'POST', path: '/chat/completions', body: {} }, end: { kind: 'complete' }, chunks: [] }));
  const replay = await replayingProxy(t, dir);
  const errors = replay.logs.map((line) => JSON.parse(line)).filter((entry) => entry.level === 'ERROR').map((entry) => entry.msg as string);
  assert.equal(errors.length, 2);
  assert.match(errors[0] ?? '', /unusable recording .*0099-chat-broken\.json: not valid JSON/);
  assert.match(errors[1] ?? '', /unusable recording .*0100-chat-wrong\.json: "response" is missing/);
  assert.equal((await post(replay, '/api/chat', STEPS[0]?.body)).status, 200);
});

test('replay.json {"match":"strict"} makes the model part of matching', async (t) => {
  const dir = await recordSet(t);
  writeFileSync(join(dir, 'replay.json'), '{"match": "strict"}\n');
  // Free mode would pick the recorded model again; a different catalog order is what strictness catches.
  const recorded = JSON.parse(readFileSync(chatFile(dir, 0), 'utf8'));
  recorded.request.body.model = 'some/other-model:free';
  writeFileSync(chatFile(dir, 0), JSON.stringify(recorded));
  const replay = await replayingProxy(t, dir);
  const reply = await post(replay, '/api/chat', STEPS[0]?.body);
  assert.equal(reply.status, 404);
  assert.match(reply.json().error, /differs at model: recorded "some\/other-model:free"/);
});

test('recordings never hold the key or a bearer token, and a redacted request still replays', async (t) => {
  const leaky = 'my key is sk-or-v1-0123456789abcdef0123456789abcdef and my token Bearer abc.def-ghi_jkl';
  const dir = await recordSet(t, [{ name: 'leaky prompt', path: '/api/chat', body: { model: 'llama3', stream: false, messages: [{ role: 'user', content: leaky }] } }]);
  const text = readdirSync(dir).map((file) => readFileSync(join(dir, file), 'utf8')).join('\n');
  assert.ok(!text.includes(KEY));
  assert.ok(!text.includes('sk-or-v1-0123456789abcdef'));
  assert.ok(!text.includes('abc.def-ghi_jkl'));
  assert.ok(!/authorization/i.test(text));
  assert.match(text, /my key is \[redacted\] and my token Bearer \[redacted\]/);
  const replay = await replayingProxy(t, dir);
  const reply = await post(replay, '/api/chat', { model: 'llama3', stream: false, messages: [{ role: 'user', content: leaky }] });
  assert.equal(reply.status, 200);
});

test('a recording that cannot be written is logged once and never fails or changes an answer', async (t) => {
  const dir = scratch(t, 'recording-');
  const live = await recordingProxy(t, join(dir, 'gone'));
  rmSync(join(dir, 'gone'), { recursive: true });
  for (const step of STEPS) assert.equal((await post(live, step.path, step.body)).status, 200);
  for (let i = 0; i < 400 && !live.logs.some((line) => line.includes('cannot write a recording')); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(live.logs.filter((line) => line.includes('cannot write a recording')).length, 1);
});

test('recording and replaying ignore the catalog cache: the catalog is the recorded /models, and the live cache is untouched', async (t) => {
  const dir = await recordSet(t);
  // A live run with another catalog leaves a fresh cache behind in its scratch folder.
  const other = await startProxy(t, { fake: { models: generateCatalog(6, 7) } });
  const cache = readFileSync(join(other.dir, 'free-models'), 'utf8');
  const replay = await startProxy(t, { dir: other.dir, env: { REPLAY_DIR: dir, OPENROUTER_API_KEY: '', OPENROUTER_BASE_URL: UNREACHABLE } });
  assert.equal((await post(replay, '/api/chat', STEPS[0]?.body)).json().message.content, 'Echo: hello');
  assert.ok(replay.logs.some((line) => line.includes('"msg":"catalog fetched"')));
  assert.equal(readFileSync(join(other.dir, 'free-models'), 'utf8'), cache);
});

test('a per-minute cap that was waited out live is waited out on replay too: reset times move with the clock', async (t) => {
  const dir = scratch(t, 'recording-reset-');
  const live = await recordingProxy(t, dir);
  live.fake.script('*', { kind: 'rate-limit', scope: 'per-min', resetInMs: 300 });
  const recorded = await post(live, '/v1/chat/completions', { model: 'gpt-4o', messages: [{ role: 'user', content: 'wait for it' }] });
  assert.equal(recorded.status, 200);
  await waitForFiles(dir, live.fake.requests.length);
  // Make it a recording from an hour ago: every absolute time in it (receivedAt, the reset header,
  // the reset in the error body) an hour earlier. Replayed as written, the cap would lift in the past.
  const HOUR = 3_600_000;
  for (const file of readdirSync(dir)) {
    const text = readFileSync(join(dir, file), 'utf8');
    const older = text
      .replace(/("receivedAt": )(\d+)/g, (_, head: string, ms: string) => `${head}${Number(ms) - HOUR}`)
      .replace(/(x-ratelimit-reset\\?"\s*:\s*\\?")(\d{12,})/gi, (_, head: string, ms: string) => `${head}${Number(ms) - HOUR}`);
    writeFileSync(join(dir, file), older);
  }
  assert.ok(readdirSync(dir).some((file) => /x-ratelimit-reset/i.test(readFileSync(join(dir, file), 'utf8'))), 'the reset was recorded');
  const replay = await replayingProxy(t, dir);
  const replayed = await post(replay, '/v1/chat/completions', { model: 'gpt-4o', messages: [{ role: 'user', content: 'wait for it' }] });
  assert.equal(replayed.status, 200, replayed.text);
  assert.equal(replayed.json().choices[0].message.content, recorded.json().choices[0].message.content);
});
