import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test, type TestContext } from 'node:test';
import { openFailureStore, StoreOpenError, type FailureStore } from '../../src/store/failure-store.ts';

const T0 = 1_700_000_000_000;
const backoff = (now: number) => (count: number) => now + count * 60_000;

function memoryStore(t: TestContext, now = () => T0): FailureStore {
  const { store, warnings } = openFailureStore(':memory:', { now });
  assert.deepEqual(warnings, []);
  t.after(() => store.close());
  return store;
}

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'failure-store-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A clock the test moves by hand. */
function manualClock(start = T0) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

test('a recorded failure cools the model down until the time the policy chose', (t) => {
  const store = memoryStore(t);
  const failure = store.recordFailure('a:free', 'general', T0, (count) => T0 + count * 1000);
  assert.deepEqual(failure, { model: 'a:free', kind: 'general', count: 1, lastFailureAt: T0, cooldownUntil: T0 + 1000 });
  assert.deepEqual(store.get('a:free'), failure);
  assert.equal(store.isCoolingDown('a:free', T0 + 999), true);
  assert.equal(store.isCoolingDown('a:free', T0 + 1000), false);
  assert.equal(store.isCoolingDown('never-failed:free', T0), false);
});

test('activeCooldowns lists only models still cooling down, soonest end first', (t) => {
  const store = memoryStore(t);
  store.recordFailure('late', 'general', T0, () => T0 + 30_000);
  store.recordFailure('expired', 'general', T0, () => T0 + 500);
  store.recordFailure('soon', 'rate-limit', T0, () => T0 + 10_000);
  store.recordFailure('middle', 'gone', T0, () => T0 + 20_000);
  assert.deepEqual(store.activeCooldowns(T0 + 1000).map((f) => f.model), ['soon', 'middle', 'late']);
  assert.deepEqual(store.activeCooldowns(T0 + 25_000).map((f) => f.model), ['late']);
});

test('count grows across kinds and a success clears it', (t) => {
  const store = memoryStore(t);
  const seen: number[] = [];
  const policy = (count: number) => (seen.push(count), T0 + count);
  store.recordFailure('m', 'general', T0, policy);
  store.recordFailure('m', 'rate-limit', T0 + 1, policy);
  const third = store.recordFailure('m', 'gone', T0 + 2, policy);
  assert.deepEqual(seen, [1, 2, 3], 'the policy sees the new count');
  assert.equal(third.kind, 'gone', 'the latest kind wins');
  assert.equal(third.lastFailureAt, T0 + 2);

  store.recordSuccess('m');
  assert.equal(store.get('m'), undefined);
  assert.deepEqual(store.activeCooldowns(T0), []);
  assert.equal(store.recordFailure('m', 'general', T0 + 3, policy).count, 1);
});

test('a policy that throws leaves the stored count unchanged', (t) => {
  const store = memoryStore(t);
  store.recordFailure('m', 'general', T0, backoff(T0));
  assert.throws(() => store.recordFailure('m', 'general', T0, () => { throw new Error('policy bug'); }), /policy bug/);
  assert.equal(store.recordFailure('m', 'general', T0, backoff(T0)).count, 2);
});

test('hot-path reads and a success for an unknown model never touch the database', () => {
  const clock = manualClock();
  const { store } = openFailureStore(':memory:', { now: clock.now });
  store.recordFailure('m', 'general', T0, backoff(T0));
  // Once closed, any statement would throw; these calls must be answered from memory alone.
  store.close();
  clock.advance(999);
  assert.equal(store.isCoolingDown('m', T0), true);
  assert.equal(store.get('other'), undefined);
  store.recordSuccess('never-failed');
  store.close();
});

test('account limits are read back until they expire, then forgotten', (t) => {
  const store = memoryStore(t);
  assert.equal(store.accountLimit('free-daily', T0), undefined);
  const daily = { scope: 'free-daily', resetAt: T0 + 3_600_000, message: 'Rate limit exceeded: free-models-per-day' } as const;
  store.setAccountLimit(daily);
  store.setAccountLimit({ scope: 'free-minute', resetAt: T0 + 60_000, message: 'per minute' });
  assert.deepEqual(store.accountLimit('free-daily', T0), daily);
  assert.equal(store.accountLimit('free-minute', T0 + 59_999)?.message, 'per minute');

  assert.equal(store.accountLimit('free-minute', T0 + 60_000), undefined);
  assert.equal(store.accountLimit('free-minute', T0), undefined, 'an expired limit is deleted, not just hidden');
  assert.deepEqual(store.accountLimit('free-daily', T0 + 60_000), daily);

  store.setAccountLimit({ ...daily, resetAt: T0 + 7_200_000, message: 'later' });
  assert.equal(store.accountLimit('free-daily', T0)?.message, 'later', 'setting a scope again replaces it');
});

test('cooldowns and account limits survive closing and reopening the file', (t) => {
  const path = join(tempDir(t), 'failures.db');
  const first = openFailureStore(path).store;
  first.recordFailure('m', 'rate-limit', T0, backoff(T0));
  first.recordFailure('m', 'rate-limit', T0, backoff(T0));
  first.setAccountLimit({ scope: 'free-daily', resetAt: T0 + 1000, message: 'daily' });
  first.close();

  const { store, warnings } = openFailureStore(path);
  t.after(() => store.close());
  assert.deepEqual(warnings, []);
  assert.deepEqual(store.get('m'), { model: 'm', kind: 'rate-limit', count: 2, lastFailureAt: T0, cooldownUntil: T0 + 120_000 });
  assert.deepEqual(store.activeCooldowns(T0).map((f) => f.model), ['m']);
  assert.equal(store.accountLimit('free-daily', T0)?.message, 'daily');
});

test("two stores on one file: B sees A's writes once its clock passes a second", (t) => {
  const path = join(tempDir(t), 'shared.db');
  const a = openFailureStore(path).store;
  const clockB = manualClock();
  const b = openFailureStore(path, { now: clockB.now }).store;
  t.after(() => (a.close(), b.close()));

  a.recordFailure('m', 'general', T0, backoff(T0));
  a.setAccountLimit({ scope: 'free-minute', resetAt: T0 + 60_000, message: 'slow down' });
  clockB.advance(999);
  assert.equal(b.isCoolingDown('m', T0), false, 'within a second B answers from memory');
  clockB.advance(1);
  assert.equal(b.isCoolingDown('m', T0), true);
  assert.equal(b.accountLimit('free-minute', T0)?.message, 'slow down');

  a.recordSuccess('m');
  clockB.advance(1000);
  assert.equal(b.get('m'), undefined, 'clears propagate too');
});

test('interleaved failures from two stores on one file are all counted', (t) => {
  const path = join(tempDir(t), 'shared.db');
  const a = openFailureStore(path).store;
  const b = openFailureStore(path).store;
  t.after(() => (a.close(), b.close()));
  for (let i = 0; i < 5; i++) {
    a.recordFailure('m', 'general', T0, backoff(T0));
    b.recordFailure('m', 'rate-limit', T0, backoff(T0));
  }
  assert.equal(a.recordFailure('m', 'general', T0, backoff(T0)).count, 11);
});

test('concurrent failures from two processes on one file are all counted', async (t) => {
  const path = join(tempDir(t), 'shared.db');
  openFailureStore(path).store.close();
  const storeUrl = new URL('../../src/store/failure-store.ts', import.meta.url).href;
  const script = `
    import { openFailureStore } from ${JSON.stringify(storeUrl)};
    const { store } = openFailureStore(${JSON.stringify(path)});
    for (let i = 0; i < 100; i++) store.recordFailure('m', 'general', 0, (count) => count);
    store.close();`;
  const run = () =>
    new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, ['--no-warnings', '--input-type=module', '-e', script], { stdio: 'inherit' });
      child.on('error', reject);
      child.on('exit', resolve);
    });
  assert.deepEqual(await Promise.all([run(), run()]), [0, 0]);

  const { store } = openFailureStore(path);
  t.after(() => store.close());
  assert.equal(store.get('m')?.count, 200);
});

test('a path that cannot be created throws StoreOpenError naming FAILURE_DB and the path', (t) => {
  const dir = tempDir(t);
  const regularFile = join(dir, 'not-a-dir');
  writeFileSync(regularFile, '');
  // Tests run as root, so "no write permission" is simulated with a path under a regular file.
  for (const path of ['/nonexistent-dir/x.db', join(regularFile, 'x.db')]) {
    assert.throws(
      () => openFailureStore(path),
      (error) =>
        error instanceof StoreOpenError &&
        error.message.startsWith(`FAILURE_DB: cannot open "${path}": `),
      path,
    );
  }
});

test('a corrupt file is moved aside with its WAL and a fresh store works', async (t) => {
  const dir = tempDir(t);
  const cases = {
    'not a database': () => Buffer.from('this is certainly not sqlite '.repeat(300)),
    'malformed pages': () => {
      const path = join(dir, 'healthy.db');
      const db = new DatabaseSync(path);
      db.exec('CREATE TABLE filler (x TEXT); INSERT INTO filler VALUES (zeroblob(20000));');
      db.close();
      const bytes = readFileSync(path);
      bytes.fill(0xab, 4096, 8192); // a b-tree page turned to noise; the header stays valid
      return bytes;
    },
  };
  for (const [name, bytes] of Object.entries(cases)) {
    await t.test(name, (t) => {
      const path = join(dir, `${name.replaceAll(' ', '-')}.db`);
      const garbage = bytes();
      writeFileSync(path, garbage);
      writeFileSync(`${path}-wal`, 'stale wal');
      const { store, warnings } = openFailureStore(path, { now: () => T0 });
      t.after(() => store.close());

      const movedTo = `${path}.corrupt-${T0}`;
      assert.deepEqual(warnings, [`FAILURE_DB "${path}" was corrupt; moved it to "${movedTo}" and started fresh`]);
      assert.deepEqual(readFileSync(movedTo), garbage);
      assert.equal(readFileSync(`${movedTo}-wal`, 'utf8'), 'stale wal');
      assert.equal(existsSync(`${path}-wal`) && readFileSync(`${path}-wal`, 'utf8') === 'stale wal', false, 'the stale WAL is not replayed');
      assert.equal(store.recordFailure('m', 'general', T0, backoff(T0)).count, 1);
      assert.equal(store.isCoolingDown('m', T0), true);
    });
  }
});
