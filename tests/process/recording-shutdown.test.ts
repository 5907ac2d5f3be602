// A rig's script records, then stops the proxy at once: the real entry point (`node src/main.ts`)
// stopped with SIGTERM right after the answer must still write the last recording, and today's
// free-request count, before it exits. For plain recording and for record-if-missing.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test, type TestContext } from 'node:test';
import { startFakeOpenRouter } from '../../src/fake-openrouter/server.ts';
import { call, spawnProxy, type Spawned } from '../helpers/reliability-helpers.ts';

const KEY = 'sk-or-v1-shutdown-0123456789abcdef';

async function setUp(t: TestContext) {
  const dir = mkdtempSync(join(tmpdir(), 'proxy-recording-stop-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const fake = await startFakeOpenRouter();
  t.after(() => fake.close());
  const env = {
    OPENROUTER_API_KEY: KEY,
    OPENROUTER_BASE_URL: fake.url,
    PORT: '0',
    FAILURE_DB: join(dir, 'failures.db'),
    MODEL_FILTER_PATH: join(dir, 'filter'),
    MODEL_ALIASES_PATH: join(dir, 'aliases'),
  };
  return { dir, fake, env, recordings: join(dir, 'recordings') };
}

/** Sends one chat and, the moment its answer has arrived, SIGTERMs the proxy; resolves with the answer and the exit. */
async function chatThenStop(proxy: Spawned, content: string) {
  const answer = await call(proxy.url, '/api/chat', { body: { model: 'qwen3-coder:free', stream: false, messages: [{ role: 'user', content }] } });
  proxy.child.kill('SIGTERM');
  return { answer, exit: await proxy.exited };
}

const chatFiles = (dir: string) => readdirSync(dir).filter((file) => /^\d+-chat-.*\.json$/.test(file)).sort();
const leftovers = (dir: string) => readdirSync(dir).filter((file) => file.startsWith('.'));

function freeRequestsToday(path: string): number {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return Number(db.prepare('SELECT count FROM daily_usage WHERE day = ?').get(new Date().toISOString().slice(0, 10))?.['count'] ?? 0);
  } finally {
    db.close();
  }
}

test('plain recording: SIGTERM right after the answer still writes its recording and the daily count', async (t) => {
  const { env, fake, recordings } = await setUp(t);
  const proxy = await spawnProxy(t, { ...env, RECORD_DIR: recordings });
  const { answer, exit } = await chatThenStop(proxy, 'STOP-RIGHT-AFTER');
  assert.equal(answer.status, 200, answer.text);
  assert.equal(exit.code, 0, proxy.stderr());
  const files = chatFiles(recordings);
  assert.equal(files.length, 1, `recorded: ${readdirSync(recordings).join(', ')}`);
  assert.match(readFileSync(join(recordings, files[0] as string), 'utf8'), /STOP-RIGHT-AFTER/);
  assert.deepEqual(leftovers(recordings), [], 'no partial file is left behind');
  assert.equal(fake.chatRequests().length, 1);
  assert.equal(freeRequestsToday(env.FAILURE_DB), 1, 'the free request was counted before exit');
});

test('record-if-missing: a miss recorded right before SIGTERM is on disk, and replays on the next run for free', async (t) => {
  const { env, fake, recordings } = await setUp(t);
  const both = { RECORD_DIR: recordings, REPLAY_DIR: recordings };
  const first = await spawnProxy(t, { ...env, ...both });
  const { answer, exit } = await chatThenStop(first, 'STOP-RIGHT-AFTER-MISSING');
  assert.equal(exit.code, 0, first.stderr());
  assert.equal(chatFiles(recordings).length, 1, `recorded: ${readdirSync(recordings).join(', ')}`);
  assert.equal(fake.chatRequests().length, 1);
  assert.equal(freeRequestsToday(env.FAILURE_DB), 1);

  const upstreamBefore = fake.requests.length;
  const second = await spawnProxy(t, { ...env, ...both });
  const again = await chatThenStop(second, 'STOP-RIGHT-AFTER-MISSING');
  assert.equal(again.exit.code, 0, second.stderr());
  assert.equal(JSON.parse(again.answer.text).message.content, JSON.parse(answer.text).message.content);
  assert.equal(fake.requests.length, upstreamBefore, 'the second run sent nothing upstream (catalog and /key included)');
  assert.equal(freeRequestsToday(env.FAILURE_DB), 1, 'a replayed answer spends no free request');
  assert.equal(chatFiles(recordings).length, 1);
});
