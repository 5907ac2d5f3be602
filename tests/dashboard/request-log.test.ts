// The request log: a bounded ring, per-minute counts by outcome, last errors, upstream health, events.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRequestLog, type RequestRow } from '../../src/status/request-log.ts';

function logAt(start: number) {
  const clock = { wall: start, mono: 0 };
  const log = createRequestLog({ now: () => clock.wall, monotonic: () => clock.mono, capacity: 3 });
  return { log, clock };
}

test('a request row records attempts, time to first token, duration, tokens and the answering model', () => {
  const { log, clock } = logAt(1_000_000);
  const entry = log.begin({ api: 'openai', requested: 'gpt-4o' });
  entry.attempt({ model: 'a:free', outcome: 'rate-limit', status: 429, error: 'slow down', ms: 5 });
  clock.mono = 40;
  entry.firstToken();
  clock.mono = 90;
  entry.firstToken();
  clock.mono = 120;
  entry.attempt({ model: 'b:free', outcome: 'ok', ms: 7 });
  entry.end({ status: 200, model: 'b:free', tokens: { prompt: 3, completion: 9 } });
  entry.end({ status: 500 });
  assert.deepEqual(log.recent(), [{
    id: 1, at: 1_000_000, api: 'openai', requested: 'gpt-4o', model: 'b:free', done: true, status: 200, ttftMs: 40, ms: 120,
    tokens: { prompt: 3, completion: 9 },
    attempts: [{ model: 'a:free', outcome: 'rate-limit', status: 429, error: 'slow down', ms: 5 }, { model: 'b:free', outcome: 'ok', ms: 7 }],
  }]);
  assert.deepEqual(log.lastErrors(), { 'a:free': { error: 'slow down', status: 429, at: 1_000_000 } });
});

test('the ring keeps only the newest rows, newest first', () => {
  const { log } = logAt(0);
  for (const name of ['a', 'b', 'c', 'd', 'e']) log.begin({ api: 'ollama', requested: name }).end({ status: 200 });
  assert.deepEqual(log.recent().map((row) => row.requested), ['e', 'd', 'c']);
});

test('per-minute counts split ok, fell back and failed, and forget minutes older than an hour', () => {
  const { log, clock } = logAt(10 * 60_000);
  const finish = (status: number, attempts: number) => {
    const entry = log.begin({ api: 'ollama', requested: 'x' });
    for (let i = 0; i < attempts; i++) entry.attempt({ model: `m${i}`, outcome: i === attempts - 1 && status < 400 ? 'ok' : 'transient', ms: 1 });
    entry.end({ status });
  };
  finish(200, 1);
  finish(200, 2);
  finish(502, 3);
  finish(499, 1);
  clock.wall += 60_000;
  finish(200, 1);
  let minutes = log.perMinute();
  assert.equal(minutes.length, 60);
  assert.deepEqual(minutes.slice(-2), [
    { minute: 10 * 60_000, ok: 1, fallback: 1, failed: 2 },
    { minute: 11 * 60_000, ok: 1, fallback: 0, failed: 0 },
  ]);
  clock.wall += 60 * 60_000;
  minutes = log.perMinute();
  assert.ok(minutes.every((minute) => minute.ok + minute.fallback + minute.failed === 0));
  finish(200, 1);
  assert.deepEqual(log.perMinute().at(-1), { minute: 71 * 60_000, ok: 1, fallback: 0, failed: 0 });
});

test('listeners hear every change until they unsubscribe; upstream health follows the attempts', () => {
  const { log } = logAt(5);
  const heard: Array<Pick<RequestRow, 'id' | 'done'> & { attempts: number }> = [];
  const unsubscribe = log.subscribe((row) => heard.push({ id: row.id, done: row.done, attempts: row.attempts.length }));
  assert.deepEqual(log.upstream(), { reachable: undefined });
  const entry = log.begin({ api: 'anthropic', requested: 'claude' });
  entry.attempt({ model: 'a', outcome: 'unreachable', status: 502, error: 'ECONNREFUSED', ms: 1 });
  assert.deepEqual(log.upstream(), { reachable: false, lastError: 'ECONNREFUSED', at: 5 });
  entry.attempt({ model: 'b', outcome: 'ok', ms: 1 });
  assert.equal(log.upstream().reachable, true);
  entry.end({ status: 200 });
  unsubscribe();
  log.begin({ api: 'responses', requested: 'later' });
  assert.deepEqual(heard, [{ id: 1, done: false, attempts: 0 }, { id: 1, done: false, attempts: 1 }, { id: 1, done: false, attempts: 2 }, { id: 1, done: true, attempts: 2 }]);
});
