import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createDailyUsage } from '../../src/routing/daily-usage.ts';
import { createLogger } from '../../src/logger.ts';
import { openUsageCounter, utcDay } from '../../src/store/usage-counter.ts';

const DAY = 86_400_000;
const NOON = Date.UTC(2026, 10, 30, 12);

test('utcDay names the UTC day', () => {
  const rows: [number, string][] = [
    [Date.UTC(2026, 10, 30, 0, 0, 0), '2026-11-30'],
    [Date.UTC(2026, 10, 30, 23, 59, 59, 999), '2026-11-30'],
    [Date.UTC(2026, 11, 1), '2026-12-01'],
  ];
  for (const [ms, day] of rows) assert.equal(utcDay(ms), day);
});

test('the count survives a restart and starts over on the next UTC day', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'usage-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'failures.db');
  const first = openUsageCounter(path);
  for (let i = 0; i < 3; i++) first.increment(NOON);
  first.close();
  const second = openUsageCounter(path);
  t.after(() => second.close());
  assert.deepEqual(second.today(NOON), { day: '2026-11-30', count: 3 });
  assert.deepEqual(second.increment(NOON + 60_000), { day: '2026-11-30', count: 4 });
  assert.deepEqual(second.today(NOON + DAY), { day: '2026-12-01', count: 0 });
  assert.deepEqual(second.increment(NOON + DAY), { day: '2026-12-01', count: 1 });
});

test('two proxies sharing the file count together', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'usage-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'failures.db');
  const a = openUsageCounter(path);
  const b = openUsageCounter(path);
  t.after(() => (a.close(), b.close()));
  a.increment(NOON);
  b.increment(NOON);
  a.increment(NOON);
  // Increments are written in batches (at most a second apart); reading the count writes them first.
  assert.equal(b.today(NOON).count, 1);
  assert.equal(a.today(NOON).count, 3);
  assert.equal(b.today(NOON).count, 3);
});

test('a write that fails is reported and the memory copy counts on', () => {
  const errors: unknown[] = [];
  const counter = openUsageCounter(':memory:', { onWriteError: (error) => errors.push(error) });
  counter.increment(NOON);
  counter.close();
  assert.equal(counter.increment(NOON).count, 2);
  assert.equal(counter.today(NOON).count, 2);
  assert.equal(errors.length, 1);
});

function meter(limit: number | undefined) {
  const clock = { ms: NOON };
  const logs: { level: string; msg: string; used?: number; limit?: number }[] = [];
  const usage = createDailyUsage({
    counter: openUsageCounter(':memory:'),
    dailyLimit: () => limit,
    now: () => clock.ms,
    logger: createLogger('DEBUG', (line) => void logs.push(JSON.parse(line))),
  });
  return { clock, logs, usage };
}

test('one WARN when 80 % of the daily limit is used', () => {
  const { logs, usage } = meter(50);
  for (let i = 0; i < 45; i++) usage.recordFreeRequest();
  const warnings = logs.filter((entry) => entry.level === 'WARN');
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0]?.used, 40);
  assert.equal(warnings[0]?.limit, 50);
  assert.deepEqual(usage.status(), { used: 45, limit: 50, resetsAt: '2026-12-01T00:00:00.000Z' });
});

test('the warning comes again on the next day, and never while the limit is unknown', () => {
  const known = meter(10);
  for (let i = 0; i < 9; i++) known.usage.recordFreeRequest();
  known.clock.ms += DAY;
  for (let i = 0; i < 9; i++) known.usage.recordFreeRequest();
  assert.equal(known.logs.filter((entry) => entry.level === 'WARN').length, 2);
  const unknown = meter(undefined);
  for (let i = 0; i < 60; i++) unknown.usage.recordFreeRequest();
  assert.equal(unknown.logs.length, 0);
  assert.equal(unknown.usage.status().limit, undefined);
});
