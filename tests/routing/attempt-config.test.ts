import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../src/config.ts';

test('MAX_ATTEMPTS and MAX_WAIT_SECONDS: defaults, values, and errors that name the variable', () => {
  const base = { OPENROUTER_API_KEY: 'k' };
  assert.equal(loadConfig(base).maxAttempts, 5);
  assert.equal(loadConfig(base).maxWaitMs, 30_000);
  assert.equal(loadConfig({ ...base, MAX_ATTEMPTS: '10' }).maxAttempts, 10);
  assert.equal(loadConfig({ ...base, MAX_WAIT_SECONDS: '0' }).maxWaitMs, 0);
  assert.equal(loadConfig({ ...base, MAX_WAIT_SECONDS: '2.5' }).maxWaitMs, 2_500);
  for (const [name, value] of [['MAX_ATTEMPTS', '0'], ['MAX_ATTEMPTS', '2.5'], ['MAX_WAIT_SECONDS', '-1'], ['MAX_WAIT_SECONDS', 'soon']]) {
    assert.throws(() => loadConfig({ ...base, [name as string]: value }), new RegExp(`^ConfigError: ${name}=`));
  }
});
