// Record a whole session against the offline OpenRouter, then replay it with no network and no key:
// every answer (content, tool calls, thinking, the failure and the fallback) comes back identical.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { attempts, KEY, recordingProxy, replayingProxy, runSession, scratch, SESSION, waitForFiles } from './session.ts';

test('a recorded session replays identically, fallback and broken stream included', async (t) => {
  const dir = scratch(t, 'recording-');
  const live = await recordingProxy(t, dir);
  const recorded = await runSession(live, SESSION, true);
  // Files are written after each exchange ends, asynchronously: wait for the last one to land.
  await waitForFiles(dir, live.fake.requests.length);

  const replay = await replayingProxy(t, dir);
  assert.equal(replay.config.apiKey, '');
  const replayed = await runSession(replay, SESSION, false);

  for (const [i, step] of SESSION.entries()) assert.deepEqual(replayed[i], recorded[i], step.name);
  assert.deepEqual(attempts(replay), attempts(live), 'the same models were tried, with the same outcomes');
  // The session really contains what it claims to.
  assert.match(attempts(live)[0] ?? '', / rate-limit 429$/);
  assert.match(attempts(live)[1] ?? '', / ok$/);
  assert.ok(JSON.stringify(recorded).includes('"thinking":"Thinking"') && JSON.stringify(recorded).includes('"reasoning":"Thinking"'), 'thinking and reasoning were recorded');
  assert.ok(JSON.stringify(recorded).includes('get_weather'), 'tool calls were recorded');
  assert.ok(JSON.stringify(recorded).includes('broke mid-answer'), 'the broken stream reached the client');
  assert.ok(!replay.logs.some((line) => line.includes('unusable recording')));
  // Every client API answered for real while recording (a recorded error would replay identically too).
  for (const [i, step] of SESSION.entries()) if (step.fault === undefined) assert.equal(recorded[i]?.status, 200, step.name);
  assert.ok(JSON.stringify(recorded).includes('"type":"tool_use"') && JSON.stringify(recorded).includes('"type":"function_call"'), 'Anthropic and Responses tool calls were recorded');

  const files = readdirSync(dir).sort();
  assert.equal(files.length, live.fake.requests.length, 'one file per upstream exchange');
  assert.match(files[0] ?? '', /^0001-models\.json$/);
  assert.ok(files.some((file) => /^\d{4}-chat-[a-z0-9-]+\.json$/.test(file)));
  const text = files.map((file) => readFileSync(join(dir, file), 'utf8')).join('\n');
  assert.ok(!text.includes(KEY) && !/authorization|bearer/i.test(text), 'no key and no Authorization header in the recordings');
});

test('a timeout the proxy gave up on replays as a stall that the proxy\'s own timeout ends, then the same fallback', async (t) => {
  const env = { FIRST_TOKEN_TIMEOUT_SECONDS: '0.2' };
  const steps = [{ name: 'stalls, then falls back', path: '/api/chat', body: { model: 'llama3', stream: false, messages: [{ role: 'user', content: 'slow' }] }, fault: { kind: 'stall', afterChunks: 0 } as const }];
  const dir = scratch(t, 'recording-');
  const live = await recordingProxy(t, dir, env);
  const recorded = await runSession(live, steps, true);
  await waitForFiles(dir, live.fake.requests.length);
  assert.match(attempts(live)[0] ?? '', / transient 504$/);
  assert.ok(readdirSync(dir).some((file) => readFileSync(join(dir, file), 'utf8').includes('"code": "PROXY_ENDED"')));

  const replay = await replayingProxy(t, dir, env);
  assert.deepEqual(await runSession(replay, steps, false), recorded);
  assert.deepEqual(attempts(replay), attempts(live));
});
