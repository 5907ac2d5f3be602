// The reliability and security settings: defaults, accepted values, and startup errors that name the variable.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { DEFAULT_TIMEOUTS } from '../../src/http/http-server.ts';

const KEY = { OPENROUTER_API_KEY: 'sk-or-v1-x' };

test('defaults: loopback, no proxy key, generous body limit, and timeouts that never cut a long stream', () => {
  const config = loadConfig(KEY);
  assert.equal(config.host, '127.0.0.1');
  assert.equal(config.port, 11434);
  assert.equal(config.proxyApiKey, undefined);
  assert.deepEqual(config.corsOrigins, []);
  assert.equal(config.maxBodyBytes, 50 * 1024 * 1024);
  assert.equal(config.firstTokenTimeoutMs, 60_000);
  assert.equal(config.streamIdleTimeoutMs, 120_000);
  assert.equal(config.requestTimeoutMs, 600_000);
  assert.equal(config.shutdownGraceMs, 10_000);
  // The server's own limits bound how long a request may take to arrive, never a response.
  assert.ok(DEFAULT_TIMEOUTS.headersTimeoutMs <= DEFAULT_TIMEOUTS.requestTimeoutMs);
  assert.ok(DEFAULT_TIMEOUTS.requestTimeoutMs >= 60_000, 'room to upload a MAX_BODY_MB image on a slow link');
});

test('accepted values, fractions included', () => {
  const CASES: Array<[Record<string, string>, (config: ReturnType<typeof loadConfig>) => unknown, unknown]> = [
    [{ PORT: '0' }, (c) => c.port, 0],
    [{ HOST: ' 0.0.0.0 ' }, (c) => c.host, '0.0.0.0'],
    [{ PROXY_API_KEY: ' secret ' }, (c) => c.proxyApiKey, 'secret'],
    [{ PROXY_API_KEY: '   ' }, (c) => c.proxyApiKey, undefined],
    [{ MAX_BODY_MB: '0.5' }, (c) => c.maxBodyBytes, 512 * 1024],
    [{ FIRST_TOKEN_TIMEOUT_SECONDS: '0.25' }, (c) => c.firstTokenTimeoutMs, 250],
    [{ STREAM_IDLE_TIMEOUT_SECONDS: '0.3' }, (c) => c.streamIdleTimeoutMs, 300],
    [{ REQUEST_TIMEOUT_SECONDS: '0.3' }, (c) => c.requestTimeoutMs, 300],
    [{ SHUTDOWN_GRACE_SECONDS: '0' }, (c) => c.shutdownGraceMs, 0],
    [{ CORS_ORIGINS: 'https://a.example, https://b.example' }, (c) => c.corsOrigins, ['https://a.example', 'https://b.example']],
    [{ OLLAMA_ORIGINS: 'https://c.example' }, (c) => c.corsOrigins, ['https://c.example']],
  ];
  for (const [env, read, expected] of CASES) assert.deepEqual(read(loadConfig({ ...KEY, ...env })), expected, JSON.stringify(env));
});

test('invalid values stop startup with a message that names the variable', () => {
  const CASES: Array<[Record<string, string | undefined>, RegExp]> = [
    [{ OPENROUTER_API_KEY: undefined }, /^OPENROUTER_API_KEY is not set/],
    [{ PORT: '70000' }, /^PORT="70000" is invalid/],
    [{ PORT: '1.5' }, /^PORT="1.5" is invalid: expected an integer/],
    [{ MAX_BODY_MB: 'lots' }, /^MAX_BODY_MB="lots" is invalid/],
    [{ MAX_BODY_MB: '0' }, /^MAX_BODY_MB="0" is invalid/],
    [{ FIRST_TOKEN_TIMEOUT_SECONDS: '-1' }, /^FIRST_TOKEN_TIMEOUT_SECONDS="-1" is invalid/],
    [{ STREAM_IDLE_TIMEOUT_SECONDS: 'never' }, /^STREAM_IDLE_TIMEOUT_SECONDS="never" is invalid/],
    [{ STREAM_IDLE_TIMEOUT_SECONDS: '0' }, /^STREAM_IDLE_TIMEOUT_SECONDS="0" is invalid/],
    [{ REQUEST_TIMEOUT_SECONDS: 'NaN' }, /^REQUEST_TIMEOUT_SECONDS="NaN" is invalid/],
    [{ SHUTDOWN_GRACE_SECONDS: '-5' }, /^SHUTDOWN_GRACE_SECONDS="-5" is invalid/],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL="loud" is invalid/],
    [{ OPENROUTER_BASE_URL: 'file:///etc/passwd' }, /^OPENROUTER_BASE_URL="file:\/\/\/etc\/passwd" is invalid/],
    [{ OPENROUTER_BASE_URL: 'not a url' }, /^OPENROUTER_BASE_URL="not a url" is invalid/],
  ];
  for (const [env, message] of CASES) {
    assert.throws(() => loadConfig({ ...KEY, ...env }), (error: unknown) => error instanceof ConfigError && message.test(error.message), JSON.stringify(env));
  }
});
