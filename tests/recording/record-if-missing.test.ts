// Record-if-missing (RECORD_DIR and REPLAY_DIR naming one folder), as a test rig lives it: the first
// run records, the next replays and records only what is new, and the folder then replays offline.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { post, startProxy, type Proxy } from '../helpers/harness.ts';
import { attempts, replayingProxy, runSession, scratch, type Step } from './session.ts';

const user = (content: string) => [{ role: 'user', content }];
const weather = { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } };

const STEPS: Step[] = [
  { name: 'ollama chat, fails over after a 429', path: '/api/chat', body: { model: 'llama3', stream: false, messages: user('hello rig') }, fault: { kind: 'rate-limit', scope: 'upstream' } },
  { name: 'openai chat streamed with tools', path: '/v1/chat/completions', body: { model: 'gpt-4o', stream: true, tools: [weather], messages: user('Lima') } },
  { name: 'anthropic messages streamed', path: '/v1/messages', body: { model: 'claude-sonnet-4-5', max_tokens: 64, stream: true, messages: user('hi from the rig') } },
];
const NEW_STEP: Step = { name: 'a test added on day two', path: '/v1/responses', body: { model: 'gpt-oss:20b', input: 'a new test' } };

/** A proxy in record-if-missing mode on `dir`, in front of a fresh offline OpenRouter. */
function rigProxy(t: TestContext, dir: string, env: Record<string, string> = {}): Promise<Proxy> {
  return startProxy(t, { env: { RECORD_DIR: dir, REPLAY_DIR: dir, ...env } });
}

/** Every recording begun is on disk (shutdown waits for the same thing). */
async function settled(proxy: Proxy): Promise<void> {
  assert.equal(await proxy.app.settleRecordings(10_000), 0);
}

const jsonFiles = (dir: string) => readdirSync(dir).filter((file) => file.endsWith('.json')).sort();
const infoLines = (proxy: Proxy, msg: string) => proxy.logs.map((line) => JSON.parse(line)).filter((entry) => entry.level === 'INFO' && entry.msg === msg);
const rowSources = (proxy: Proxy) => proxy.app.requests.recent().reverse().map((row) => row.source as string | undefined);
const recordingStatus = async (proxy: Proxy) => ((await (await proxy.fetch('/status')).json()) as { recording: Record<string, unknown> & { replayed: number } }).recording;

test('three runs: the first records, the second replays and records only the new test, the third replays offline', async (t) => {
  const dir = scratch(t, 'rig-');
  const first = await rigProxy(t, dir);
  const day1 = await runSession(first, STEPS, true);
  await settled(first);
  assert.match(attempts(first)[0] ?? '', / rate-limit 429$/, 'the first run really failed over');
  assert.equal(jsonFiles(dir).length, first.fake.requests.length, 'every upstream exchange was recorded, catalog and GET /key included');
  assert.deepEqual(rowSources(first), ['recorded', 'recorded', 'recorded']);

  const second = await rigProxy(t, dir);
  const day2 = await runSession(second, [...STEPS, NEW_STEP], false);
  await settled(second);
  for (const [i, step] of STEPS.entries()) assert.deepEqual(day2[i], day1[i], step.name);
  assert.deepEqual(attempts(second).slice(0, attempts(first).length), attempts(first), 'the recorded 429 and the fallback replayed as they happened');
  assert.deepEqual(second.fake.requests.map((request) => request.path), ['/api/v1/chat/completions'], 'only the new test went upstream');
  assert.equal(day2[3]?.status, 200);
  assert.equal(jsonFiles(dir).length, first.fake.requests.length + 1);
  assert.deepEqual(rowSources(second), ['replayed', 'replayed', 'replayed', 'recorded']);
  const status = await recordingStatus(second);
  assert.deepEqual({ ...status, replayed: undefined }, { mode: 'record-if-missing', dir, replayed: undefined, recorded: 1 });
  assert.ok(status.replayed >= 5, 'the catalog, GET /key and the chats were replayed');
  // Why the new test went upstream, for the rig's author: the closest recording and where it differs.
  const [miss] = infoLines(second, 'not recorded yet: asking OpenRouter, and recording the answer');
  assert.match(miss?.why ?? '', /^no recording matches POST \/chat\/completions; the closest recording is \d{4}-chat-[a-z0-9-]+\.json, which differs at /);
  assert.equal(infoLines(second, 'record-if-missing: answering from recordings, and recording what is missing; prompts and answers are written as they are').length, 1, 'the mode is in the startup log');

  const third = await replayingProxy(t, dir);
  const offline = await runSession(third, [...STEPS, NEW_STEP], false);
  assert.deepEqual(offline, day2);
  assert.deepEqual(attempts(third), attempts(second));
  assert.deepEqual(rowSources(third), ['replayed', 'replayed', 'replayed', 'replayed']);
});

test('a chat asked once more than it was recorded goes upstream once more and is recorded; a catalog re-read is replayed', async (t) => {
  const dir = scratch(t, 'rig-');
  const step: Step = { name: 'hello', path: '/api/chat', body: { model: 'llama3', stream: false, messages: user('again') } };
  const first = await rigProxy(t, dir);
  await runSession(first, [step], false);
  await settled(first);
  const second = await rigProxy(t, dir);
  const [replayed, asked] = await runSession(second, [step, step], false);
  await settled(second);
  assert.deepEqual(asked, replayed);
  assert.equal(second.fake.chatRequests().length, 1, 'the first ask was replayed, the second went upstream');
  // A catalog re-read (daily, on a timer) gets the recorded catalog again: no request, no new file.
  assert.equal(await second.app.catalog.refresh(), true);
  assert.deepEqual(second.fake.requests.map((request) => request.path), ['/api/v1/chat/completions']);
  assert.match(infoLines(second, 'not recorded yet: asking OpenRouter, and recording the answer')[0]?.why ?? '', /^its 1 recording was already served in this run$/);
  assert.equal(jsonFiles(dir).filter((file) => file.includes('-chat-')).length, 2);
});

const CLAUDE_CODE_SYSTEM = (hash: string, date: string) =>
  `x-anthropic-billing-header: cc_version=2.1.${hash}; cc_entrypoint=cli;\nYou are Claude Code.\n\nToday's date is ${date}.`;

test("volatile parts (Claude Code's billing header, today's date, tool call ids, a rig's own patterns) do not defeat matching", async (t) => {
  const dir = scratch(t, 'rig-');
  const turn = (hash: string, date: string, id: string, build: string) => ({
    model: 'claude-sonnet-4-5',
    max_tokens: 64,
    system: CLAUDE_CODE_SYSTEM(hash, date),
    messages: [
      { role: 'user', content: `build ${build}: what is the weather?` },
      { role: 'assistant', content: [{ type: 'tool_use', id, name: 'get_weather', input: { city: 'Oslo' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content: 'sunny' }] },
    ],
  });
  const first = await rigProxy(t, dir);
  const recorded = await post(first, '/v1/messages', turn('332.a15', '2026-12-08', 'toolu_01AAAA', '101'));
  assert.equal(recorded.status, 200);
  await settled(first);
  // The rig's own volatile part: a build number in its prompts.
  writeFileSync(join(dir, 'replay.json'), JSON.stringify({ ignore: { patterns: ['build \\d+'] } }));

  const second = await rigProxy(t, dir);
  const replayed = await post(second, '/v1/messages', turn('337.53e', '2026-12-09', 'toolu_01BBBB', '102'));
  assert.equal(second.fake.chatRequests().length, 0, 'a new hash, date, tool call id and build number still match');
  assert.deepEqual(replayed.json().content, recorded.json().content);

  // Without the defaults, the same request is new: they are what made it match.
  writeFileSync(join(dir, 'replay.json'), JSON.stringify({ ignore: { defaults: false, patterns: ['build \\d+'] } }));
  const strict = await rigProxy(t, dir);
  await post(strict, '/v1/messages', turn('337.53e', '2026-12-09', 'toolu_01BBBB', '102'));
  assert.equal(strict.fake.chatRequests().length, 1);
  assert.match(infoLines(strict, 'not recorded yet: asking OpenRouter, and recording the answer')[0]?.why ?? '', /differs at messages\[0\]\.content: recorded "x-anthropic-billing-header: cc_version=2\.1\.332\.a15/);
  await settled(strict);
});

test('RECORDING_MAX_AGE_DAYS: an older recording is fetched again, and the fresh one replaces it', async (t) => {
  const dir = scratch(t, 'rig-');
  const step: Step = { name: 'hello', path: '/api/chat', body: { model: 'llama3', stream: false, messages: user('refresh me') } };
  const first = await rigProxy(t, dir);
  await runSession(first, [step], false);
  await settled(first);
  const [stale] = jsonFiles(dir).filter((file) => file.includes('-chat-'));
  // Recorded three days ago, and its answer edited, so that a stale answer would show.
  const old = JSON.parse(readFileSync(join(dir, stale as string), 'utf8'));
  old.response.receivedAt -= 3 * 86_400_000;
  old.chunks = old.chunks.map((chunk: { text: string }) => ({ ...chunk, text: chunk.text.replace('Echo:', 'Stale:') }));
  writeFileSync(join(dir, stale as string), JSON.stringify(old));

  // Two days: the chat is older and goes upstream; the catalog and GET /key are not and replay.
  const refresh = await rigProxy(t, dir, { RECORDING_MAX_AGE_DAYS: '2' });
  const [answer] = await runSession(refresh, [step], false);
  await settled(refresh);
  assert.match(JSON.stringify(answer), /Echo: refresh me/);
  assert.deepEqual(refresh.fake.requests.map((request) => request.path), ['/api/v1/chat/completions']);
  assert.match(infoLines(refresh, 'not recorded yet: asking OpenRouter, and recording the answer')[0]?.why ?? '', new RegExp(`older than RECORDING_MAX_AGE_DAYS \\(${stale}\\)`));
  assert.deepEqual(infoLines(refresh, 'replaced expired recordings with a fresh one')[0]?.removed, [stale]);
  const chats = jsonFiles(dir).filter((file) => file.includes('-chat-'));
  assert.equal(chats.length, 1);
  assert.notEqual(chats[0], stale);
  assert.equal((await recordingStatus(refresh)).max_age_days, 2);

  // Within the age, nothing is fetched; and a replay of the folder serves the fresh answer.
  const within = await rigProxy(t, dir, { RECORDING_MAX_AGE_DAYS: '2' });
  assert.deepEqual(await runSession(within, [step], false), [answer]);
  assert.equal(within.fake.requests.length, 0);
  const replay = await replayingProxy(t, dir);
  assert.deepEqual(await runSession(replay, [step], false), [answer]);
});
