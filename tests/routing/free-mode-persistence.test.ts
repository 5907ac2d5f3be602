// Cooldowns and account limits live in FAILURE_DB: a restarted proxy on the same file honours them,
// and a database that cannot be written never fails a request.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { startFakeOpenRouter } from '../../src/fake-openrouter/server.ts';
import { FREE_ORDER, freezeClockAtFetch, getJson, HOUR, MINUTE, modelsTried, ollamaChat, scratchDir } from '../helpers/free-mode-helpers.ts';
import { startProxy } from '../helpers/harness.ts';

const [GEMINI, QUASAR, QWEN] = FREE_ORDER;

test('cooldowns survive a restart with the same database file', async (t) => {
  const dir = scratchDir(t);
  const fake = await startFakeOpenRouter();
  t.after(() => fake.close());
  const env = { FAILURE_DB: join(dir, 'failures.db') };
  let t0 = 0;

  await t.test('first run: two models fail', async (t) => {
    const proxy = await startProxy(t, { useFake: fake, dir, env });
    t0 = freezeClockAtFetch(proxy);
    fake.script(GEMINI, { kind: 'http', status: 500 });
    fake.script(QUASAR, { kind: 'rate-limit', scope: 'upstream', retryAfterSeconds: 600 });
    assert.equal((await ollamaChat(proxy, 'x')).model, QWEN);
  });

  fake.reset();
  const proxy = await startProxy(t, { useFake: fake, dir, env });
  proxy.clock.wallMs = t0 + MINUTE;
  assert.deepEqual(proxy.store.get(GEMINI), { model: GEMINI, kind: 'general', count: 1, lastFailureAt: t0, cooldownUntil: t0 + 5 * MINUTE });
  assert.deepEqual(proxy.store.get(QUASAR), { model: QUASAR, kind: 'rate-limit', count: 1, lastFailureAt: t0, cooldownUntil: t0 + 10 * MINUTE });
  const reply = await ollamaChat(proxy, 'gemini-2.0-flash-exp:free');
  assert.deepEqual([reply.model, modelsTried(proxy)], [QWEN, [QWEN]], 'both are still skipped after the restart');
  const status = await getJson(proxy, '/status');
  assert.deepEqual(status.body.cooldowns.map((entry: any) => [entry.model, entry.kind]), [[GEMINI, 'general'], [QUASAR, 'rate-limit']]);
});

test('the daily cap survives a restart: no request goes upstream until its reset', async (t) => {
  const dir = scratchDir(t);
  const fake = await startFakeOpenRouter();
  t.after(() => fake.close());
  const env = { FAILURE_DB: join(dir, 'failures.db') };
  let resetAt = 0;

  await t.test('first run: the cap is hit', async (t) => {
    const proxy = await startProxy(t, { useFake: fake, dir, env });
    resetAt = freezeClockAtFetch(proxy) + 2 * HOUR;
    fake.script(GEMINI, { kind: 'rate-limit', scope: 'per-day', resetAt });
    assert.equal((await ollamaChat(proxy, 'x')).status, 429);
  });

  fake.reset();
  const proxy = await startProxy(t, { useFake: fake, dir, env });
  proxy.clock.wallMs = resetAt - 1;
  const blocked = await ollamaChat(proxy, 'x');
  assert.equal(blocked.status, 429);
  assert.match(blocked.json().error, /free-models-per-day/);
  assert.deepEqual(modelsTried(proxy), []);
  proxy.clock.wallMs = resetAt;
  assert.equal((await ollamaChat(proxy, 'x')).model, GEMINI);
});

test('two proxies on one database file see each other\'s cooldowns', async (t) => {
  const dir = scratchDir(t);
  const env = { FAILURE_DB: join(dir, 'failures.db') };
  const a = await startProxy(t, { dir, env });
  const b = await startProxy(t, { dir, env, useFake: a.fake });
  const t0 = freezeClockAtFetch(a);
  b.clock.wallMs = t0;
  a.fake.script(GEMINI, { kind: 'http', status: 500 });
  assert.equal((await ollamaChat(a, 'x')).model, QUASAR);
  // B re-reads the shared file at most once a second (of its clock).
  b.clock.wallMs = t0 + 5000;
  a.fake.reset();
  assert.equal((await ollamaChat(b, 'x')).model, QUASAR);
  assert.deepEqual(modelsTried(b), [QUASAR]);
});

test('a locked database (SQLITE_BUSY) never fails a request: routing goes on from memory and logs a warning', async (t) => {
  const dir = scratchDir(t);
  const path = join(dir, 'failures.db');
  const proxy = await startProxy(t, { dir, env: { FAILURE_DB: path } });
  const t0 = freezeClockAtFetch(proxy);
  // Another process holds the write lock for as long as this test runs (the store waits 1 s, then gives up).
  const other = new DatabaseSync(path);
  other.exec('BEGIN IMMEDIATE');
  t.after(() => other.close());

  proxy.fake.script(GEMINI, { kind: 'http', status: 500 });
  const reply = await ollamaChat(proxy, 'x');
  assert.deepEqual([reply.status, reply.model, reply.attempts], [200, QUASAR, '2']);
  assert.deepEqual(proxy.store.get(GEMINI), { model: GEMINI, kind: 'general', count: 1, lastFailureAt: t0, cooldownUntil: t0 + 5 * MINUTE }, 'kept in memory');
  const warnings = proxy.logs.map((line) => JSON.parse(line)).filter((entry) => entry.level === 'WARN' && entry.msg.startsWith('failure store write failed'));
  assert.deepEqual(warnings.map((entry) => [entry.operation, entry.model]), [['recordFailure', GEMINI]]);
  assert.match(warnings[0].error.message, /database is locked/);

  // This process honours the cooldown it could not save.
  proxy.fake.reset();
  assert.deepEqual(modelsTried(proxy), []);
  assert.equal((await ollamaChat(proxy, 'x')).model, QUASAR);

  other.exec('ROLLBACK');
  assert.deepEqual(other.prepare('SELECT model FROM model_failures').all(), [], 'nothing reached the file');
});
