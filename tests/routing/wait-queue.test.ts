import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createWaitQueue, type Timers } from '../../src/routing/wait-queue.ts';
import { HttpError } from '../../src/errors.ts';

// Timers fired by hand: the test moves the clock and runs what is due.
function manualTimers(clock: { ms: number }) {
  const pending = new Map<number, { at: number; callback: () => void }>();
  let next = 0;
  const timers: Timers = {
    set(callback, delayMs) {
      pending.set(++next, { at: clock.ms + delayMs, callback });
      return next;
    },
    clear: (handle) => void pending.delete(handle as number),
  };
  const advanceTo = (ms: number) => {
    clock.ms = ms;
    for (const [id, timer] of [...pending].sort((a, b) => a[1].at - b[1].at)) {
      if (timer.at > ms) continue;
      pending.delete(id);
      timer.callback();
    }
  };
  return { timers, advanceTo, count: () => pending.size };
}

function setup(maxWaitMs = 30_000) {
  const clock = { ms: 60_000 };
  const manual = manualTimers(clock);
  const queue = createWaitQueue({ now: () => clock.ms, maxWaitMs, timers: manual.timers });
  return { clock, queue, ...manual };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

test('waiters on one release time share one timer and are released in arrival order', async () => {
  const { queue, advanceTo, count } = setup();
  const order: number[] = [];
  const waits = [1, 2, 3].map((n) => queue.wait(120_000 - 40_000, new AbortController().signal, 'per-minute cap').then(() => order.push(n)));
  assert.equal(count(), 1);
  assert.deepEqual(queue.waiting(), { count: 3, nextReleaseAt: 80_000 });
  await settled();
  assert.deepEqual(order, [], 'nothing is released early');
  advanceTo(80_000);
  await Promise.all(waits);
  assert.deepEqual(order, [1, 2, 3]);
  assert.deepEqual(queue.waiting(), { count: 0, nextReleaseAt: undefined });
});

test('different release times: each waiter goes at its own time, earlier arrivals first among the due', async () => {
  const { queue, advanceTo, count } = setup();
  const order: string[] = [];
  const late = queue.wait(70_000, new AbortController().signal, 'x').then(() => order.push('late'));
  const early = queue.wait(65_000, new AbortController().signal, 'x').then(() => order.push('early'));
  assert.equal(count(), 2);
  advanceTo(65_000);
  await early;
  assert.deepEqual(order, ['early']);
  advanceTo(70_000);
  await late;
  assert.deepEqual(order, ['early', 'late']);
});

test('a wait longer than MAX_WAIT_SECONDS is a 429 with Retry-After at once, and so is any wait when it is 0', async () => {
  for (const [maxWaitMs, until, retryAfter] of [[30_000, 60_000 + 31_000, '31'], [0, 60_000 + 1_500, '2']] as const) {
    const { queue, count } = setup(maxWaitMs);
    await assert.rejects(queue.wait(until, new AbortController().signal, 'per-minute cap'), (error: unknown) => {
      assert.ok(error instanceof HttpError);
      assert.equal(error.status, 429);
      assert.equal(error.headers['Retry-After'], retryAfter);
      assert.match(error.message, /^per-minute cap; it lifts in/);
      return true;
    });
    assert.equal(count(), 0);
  }
});

test('a limit already lifted does not wait', async () => {
  const { queue, count } = setup();
  await queue.wait(60_000, new AbortController().signal, 'x');
  assert.equal(count(), 0);
});

test('a client that disconnects while waiting is rejected at once, and its timer goes when it was the last', async () => {
  const { queue, advanceTo, count } = setup();
  const gone = new AbortController();
  const stays = new AbortController();
  const goneWait = queue.wait(80_000, gone.signal, 'x');
  const staysWait = queue.wait(80_000, stays.signal, 'x');
  const alone = new AbortController();
  const aloneWait = queue.wait(90_000, alone.signal, 'x');
  gone.abort(new Error('client went away'));
  alone.abort(new Error('client went away'));
  await assert.rejects(goneWait, /client went away/);
  await assert.rejects(aloneWait, /client went away/);
  assert.equal(count(), 1, 'the 80 s timer stays for the remaining waiter; the 90 s one is gone');
  advanceTo(80_000);
  await staysWait;
  assert.equal(queue.waiting().count, 0);
});

test('an already aborted signal never queues', async () => {
  const { queue, count } = setup();
  await assert.rejects(queue.wait(80_000, AbortSignal.abort(new Error('gone')), 'x'), /gone/);
  assert.equal(count(), 0);
});
