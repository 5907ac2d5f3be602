// RECORD_DIR / REPLAY_DIR / REPLAY_TIMING as loadConfig reads them, and the offline OpenRouter serving
// a recording folder over HTTP (`node src/fake-openrouter/main.ts --replay <dir>`).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import OpenAI from 'openai';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { startReplayServer } from '../../src/recording/replay-server.ts';
import { startProxy } from '../helpers/harness.ts';
import { attempts, recordingProxy, runSession, scratch, SESSION, waitForFiles } from './session.ts';

test('record/replay settings: defaults, paths, no key needed to replay, and startup errors naming the variable', (t) => {
  const dir = scratch(t, 'config-');
  const base = loadConfig({ OPENROUTER_API_KEY: 'k' }, { cwd: dir });
  assert.deepEqual([base.recordDir, base.replayDir, base.replayTiming], [undefined, undefined, 'fast']);
  assert.equal(loadConfig({ OPENROUTER_API_KEY: 'k', RECORD_DIR: 'rec' }, { cwd: dir }).recordDir, join(dir, 'rec'));
  const replay = loadConfig({ REPLAY_DIR: '.', REPLAY_TIMING: ' Realtime ' }, { cwd: dir });
  assert.deepEqual([replay.replayDir, replay.replayTiming, replay.apiKey, replay.recordingMode], [dir, 'realtime', '', 'replay']);
  assert.deepEqual([base.recordingMode, loadConfig({ OPENROUTER_API_KEY: 'k', RECORD_DIR: 'rec' }, { cwd: dir }).recordingMode], ['off', 'record']);
  // The same folder, however it is spelled, is record-if-missing; it need not exist yet.
  const both = loadConfig({ OPENROUTER_API_KEY: 'k', RECORD_DIR: 'new/rec', REPLAY_DIR: `${dir}/new/./rec/`, RECORDING_MAX_AGE_DAYS: '0.5' }, { cwd: dir });
  assert.deepEqual([both.recordingMode, both.recordDir, both.replayDir, both.recordingMaxAgeMs], ['record-if-missing', join(dir, 'new/rec'), join(dir, 'new/rec'), 12 * 3600_000]);
  assert.equal(loadConfig({ OPENROUTER_API_KEY: 'k', RECORD_DIR: 'r', REPLAY_DIR: 'r' }, { cwd: dir }).recordingMaxAgeMs, undefined);
  const CASES: Array<[Record<string, string>, RegExp]> = [
    [{ OPENROUTER_API_KEY: 'k', RECORD_DIR: 'a', REPLAY_DIR: '.' }, /^RECORD_DIR and REPLAY_DIR name different folders: .*set both to the same folder/],
    [{ RECORD_DIR: 'a', REPLAY_DIR: 'a' }, /^OPENROUTER_API_KEY is not set/],
    [{ OPENROUTER_API_KEY: 'k', RECORD_DIR: 'a', RECORDING_MAX_AGE_DAYS: '7' }, /^RECORDING_MAX_AGE_DAYS is set, but recordings only expire in record-if-missing mode/],
    [{ OPENROUTER_API_KEY: 'k', RECORD_DIR: 'a', REPLAY_DIR: 'a', RECORDING_MAX_AGE_DAYS: 'weekly' }, /^RECORDING_MAX_AGE_DAYS="weekly" is invalid: expected a number from 0/],
    [{ REPLAY_DIR: 'missing' }, /^REPLAY_DIR="missing" is invalid: expected an existing folder/],
    [{ OPENROUTER_API_KEY: 'k', REPLAY_TIMING: 'slow' }, /^REPLAY_TIMING="slow" is invalid: expected fast or realtime/],
    [{ RECORD_DIR: 'a' }, /^OPENROUTER_API_KEY is not set/],
  ];
  for (const [env, expected] of CASES) assert.throws(() => loadConfig(env, { cwd: dir }), (error) => error instanceof ConfigError && expected.test(error.message), JSON.stringify(env));
});

test('the replay server serves a recorded session to a proxy, and to the openai client, as the live upstream did', async (t) => {
  const dir = scratch(t, 'recording-');
  const live = await recordingProxy(t, dir);
  const recorded = await runSession(live, SESSION, true);
  await waitForFiles(dir, live.fake.requests.length);
  writeFileSync(join(dir, '0999-chat-corrupt.json'), 'not json');

  const server = await startReplayServer({ dir });
  t.after(() => server.close());
  assert.equal(server.problems.length, 1);
  assert.match(server.problems[0]?.file ?? '', /0999-chat-corrupt\.json$/);

  const proxy = await startProxy(t, { env: { OPENROUTER_BASE_URL: server.url } });
  const replayed = await runSession(proxy, SESSION, false);
  for (const [i, step] of SESSION.entries()) assert.deepEqual(replayed[i], recorded[i], step.name);
  assert.deepEqual(attempts(proxy), attempts(live));

  // Another tool pointed straight at the server: the recorded model answers, whatever model it names.
  const client = new OpenAI({ baseURL: server.url, apiKey: 'unused', maxRetries: 0 });
  const request = JSON.parse(JSON.stringify(live.fake.chatRequests().find((body) => body.tools !== undefined && body.stream === true)));
  const stream = await client.chat.completions.create({ ...request, model: 'anything', stream: true } as OpenAI.ChatCompletionCreateParamsStreaming);
  const names: string[] = [];
  for await (const chunk of stream) for (const call of chunk.choices[0]?.delta.tool_calls ?? []) if (call.function?.name) names.push(call.function.name);
  assert.deepEqual(names, ['get_weather']);
  // The recorded catalog answers a plain model listing too (the proxy recorded it with a query).
  const listed = await client.models.list();
  assert.ok(listed.data.length > 0);
  await assert.rejects(client.chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'unrecorded' }] }), (error: { status?: number; message?: string }) => error.status === 404 && /no recording matches/.test(error.message ?? ''));
});
