// Warnings keyed by client input are bounded: 50,000 unique tool types make a handful of WARN lines,
// not 50,000, and one request with them is not quadratic work.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createWarnOnce, createLogger } from '../../src/logger.ts';
import { startProxy } from '../helpers/harness.ts';
import { call } from '../helpers/reliability-helpers.ts';

test('warnOnce: each key once, at most maxKeys keys, then one WARN that says so; long fields cut', () => {
  const lines: string[] = [];
  const warnOnce = createWarnOnce(createLogger('WARN', (line) => void lines.push(line)), 3);
  for (const key of ['a', 'b', 'a', 'c', 'd', 'e', 'b']) warnOnce(key, 'dropped', { type: key });
  const entries = lines.map((line) => JSON.parse(line));
  assert.deepEqual(entries.map((entry) => entry.type ?? entry.last), ['a', 'b', 'c', 'd']);
  assert.match(entries[3].msg, /more than 3 distinct warnings/);
  warnOnce('z'.repeat(1000), 'long', { type: 'y'.repeat(1000) });
  assert.equal(lines.length, 4);
  const fresh: string[] = [];
  createWarnOnce(createLogger('WARN', (line) => void fresh.push(line)))('k', 'long', { type: 'y '.repeat(500) });
  assert.equal(JSON.parse(fresh[0] ?? '{}').type.length, 201);
});

test('50,000 unique dropped tool types in requests: at most 101 WARN lines', { timeout: 60_000 }, async (t) => {
  const proxy = await startProxy(t);
  for (let request = 0; request < 2; request++) {
    const tools = Array.from({ length: 25_000 }, (_, i) => ({ type: `hostile_tool_${request}_${i}` }));
    const answer = await call(proxy, '/v1/responses', { body: { model: 'qwen3-coder:free', input: 'hi', tools } });
    assert.equal(answer.status, 200, answer.text.slice(0, 300));
  }
  const warnings = proxy.logs.filter((line) => line.includes('"level":"WARN"'));
  assert.ok(warnings.length <= 101, `${warnings.length} WARN lines`);
  assert.ok(warnings.some((line) => line.includes('distinct warnings')));
});
