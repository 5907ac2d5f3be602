// FAILURE_DB deleted (or replaced) while the proxy runs: the store notices within a second, opens the
// path afresh and writes what memory holds into it, so a restart still sees the cooldowns and counts.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { openFailureStore } from '../../src/store/failure-store.ts';
import { openUsageCounter } from '../../src/store/usage-counter.ts';

const T0 = Date.UTC(2026, 5, 1, 12);

function tempDb(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'deleted-db-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'failures.db');
}

/** A store on `path` with a clock the test moves and the warnings it gave. */
function watchedStore(t: TestContext, path: string) {
  const clock = { now: T0 };
  const warnings: string[] = [];
  const { store } = openFailureStore(path, { now: () => clock.now, onWarning: (message) => void warnings.push(message) });
  t.after(() => store.close());
  store.recordFailure('a:free', 'general', clock.now, () => clock.now + 600_000);
  return { store, clock, warnings };
}

const remove = (path: string): void => {
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
};

test('the failure store reopens a deleted file and saves its cooldowns and limits into it', (t) => {
  const path = tempDb(t);
  const { store, clock, warnings } = watchedStore(t, path);
  store.setAccountLimit({ scope: 'free-daily', resetAt: clock.now + 3_600_000, message: 'daily cap' });
  remove(path);
  // Written while the file is gone: lands in the deleted file, but memory has it.
  store.recordFailure('b:free', 'rate-limit', clock.now, () => clock.now + 600_000);
  clock.now += 1_000;
  const now = clock.now;
  assert.equal(store.isCoolingDown('a:free', now), true);
  assert.ok(existsSync(path), 'the file is back');
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] ?? '', /was deleted or replaced while the proxy ran; opened it afresh and saved 2 cooldowns and 1 account limits/);
  // Later writes reach the new file too.
  store.recordFailure('c:free', 'general', now, () => now + 600_000);
  const { store: restarted } = openFailureStore(path, { now: () => now });
  t.after(() => restarted.close());
  assert.deepEqual(restarted.activeCooldowns(now).map((failure) => failure.model).sort(), ['a:free', 'b:free', 'c:free']);
  assert.equal(restarted.accountLimit('free-daily', now)?.message, 'daily cap');
});

test('a deleted file whose folder is gone too: one warning, routing goes on from memory', (t) => {
  const path = tempDb(t);
  const { store, clock, warnings } = watchedStore(t, path);
  rmSync(join(path, '..'), { recursive: true, force: true });
  for (let i = 0; i < 3; i++) {
    clock.now += 1_000;
    assert.equal(store.isCoolingDown('a:free', clock.now), true);
  }
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] ?? '', /cannot be opened again/);
});

test('the daily counter reopens a deleted file and saves today\'s whole count into it', (t) => {
  const path = tempDb(t);
  const now = T0;
  const warnings: string[] = [];
  const counter = openUsageCounter(path, { now: () => now, onWarning: (message) => void warnings.push(message) });
  t.after(() => counter.close());
  for (let i = 0; i < 3; i++) counter.increment(now);
  assert.equal(counter.today(now).count, 3);
  remove(path);
  counter.increment(now);
  // today() flushes: the flush notices the file is gone.
  assert.equal(counter.today(now).count, 4);
  assert.equal(warnings.length, 1);
  const restarted = openUsageCounter(path, { now: () => now });
  t.after(() => restarted.close());
  assert.equal(restarted.today(now).count, 4);
});
