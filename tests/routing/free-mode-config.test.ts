// The free-mode settings as loadConfig reads them: defaults, accepted spellings, and startup errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';

const BASE = { OPENROUTER_API_KEY: 'sk-or-v1-test' };
const load = (env: Record<string, string>) => loadConfig({ ...BASE, ...env }, { cwd: '/srv/proxy' });

test('free-mode settings default as the issue says', () => {
  const config = load({});
  assert.deepEqual(
    {
      freeMode: config.freeMode, toolUseOnly: config.toolUseOnly, modelFilterPath: config.modelFilterPath,
      freeModelsCachePath: config.freeModelsCachePath, cacheTtlMs: config.cacheTtlMs, failureDbPath: config.failureDbPath,
      failureCooldownMs: config.failureCooldownMs, rateLimitCooldownMs: config.rateLimitCooldownMs, firstTokenTimeoutMs: config.firstTokenTimeoutMs,
    },
    {
      freeMode: true, toolUseOnly: false, modelFilterPath: '/srv/proxy/models-filter/filter',
      freeModelsCachePath: '/srv/proxy/free-models', cacheTtlMs: 24 * 3_600_000, failureDbPath: '/srv/proxy/failures.db',
      failureCooldownMs: 5 * 60_000, rateLimitCooldownMs: 60_000, firstTokenTimeoutMs: 60_000,
    },
  );
});

test('FREE_MODE and TOOL_USE_ONLY accept true/false/1/0/yes/no in any case; anything else stops the startup naming the variable', () => {
  const cases: Array<[string, boolean]> = [['true', true], ['1', true], ['yes', true], [' YES ', true], ['false', false], ['0', false], ['no', false], ['False', false]];
  for (const [raw, expected] of cases) {
    assert.equal(load({ FREE_MODE: raw }).freeMode, expected, `FREE_MODE=${raw}`);
    assert.equal(load({ TOOL_USE_ONLY: raw }).toolUseOnly, expected, `TOOL_USE_ONLY=${raw}`);
  }
  for (const name of ['FREE_MODE', 'TOOL_USE_ONLY']) {
    for (const raw of ['maybe', 'on', '2', 'enabled']) {
      assert.throws(() => load({ [name]: raw }), (error: Error) => error instanceof ConfigError && error.message.startsWith(`${name}=`), `${name}=${raw}`);
    }
  }
});

test('durations accept fractions (FIRST_TOKEN_TIMEOUT_SECONDS=0.2 for stall tests) and reject nonsense', () => {
  const config = load({ FIRST_TOKEN_TIMEOUT_SECONDS: '0.2', CACHE_TTL_HOURS: '0.5', FAILURE_COOLDOWN_MINUTES: '2', RATELIMIT_COOLDOWN_MINUTES: '0' });
  assert.deepEqual([config.firstTokenTimeoutMs, config.cacheTtlMs, config.failureCooldownMs, config.rateLimitCooldownMs], [200, 30 * 60_000, 2 * 60_000, 0]);
  for (const [name, raw] of [['FIRST_TOKEN_TIMEOUT_SECONDS', '0'], ['CACHE_TTL_HOURS', '-1'], ['FAILURE_COOLDOWN_MINUTES', 'five']]) {
    assert.throws(() => load({ [name as string]: raw as string }), (error: Error) => error instanceof ConfigError && error.message.includes(name as string));
  }
});
