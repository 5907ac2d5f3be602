// Security: loopback by default, the optional proxy key, logs that never hold secrets or user
// content, Ollama's CORS policy, and no way for a client to point the proxy at another host.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { HttpError } from '../../src/errors.ts';
import { createAuthCheck } from '../../src/http/guards.ts';
import { redact } from '../../src/logger.ts';
import { startProxy } from '../helpers/harness.ts';
import { call, errorMessage } from '../helpers/reliability-helpers.ts';

const OPENROUTER_KEY = 'sk-or-v1-test-key-0123456789';
const PROXY_KEY = 'proxy-secret-7f3a9c1e55';

// Every route, with a body that would succeed, so that only the key decides the answer.
const chat = { model: 'qwen3-coder:free', stream: false, messages: [{ role: 'user', content: 'hi' }] };
const ROUTES: Array<[string, string, unknown?]> = [
  ['GET', '/api/version'], ['GET', '/status'], ['GET', '/api/tags'], ['GET', '/api/ps'], ['HEAD', '/api/tags'],
  ['POST', '/api/show', { model: 'qwen3-coder:free' }], ['POST', '/api/chat', chat],
  ['POST', '/api/generate', { model: 'qwen3-coder:free', stream: false, prompt: 'hi' }],
  ['POST', '/api/embed', { model: 'x', input: 'hi' }], ['POST', '/api/embeddings', { model: 'x', prompt: 'hi' }],
  ['POST', '/api/pull', { model: 'qwen3-coder:free', stream: false }], ['POST', '/api/push', {}], ['POST', '/api/create', {}],
  ['POST', '/api/copy', {}], ['DELETE', '/api/delete', {}], ['HEAD', '/api/blobs/sha256:abc'], ['POST', '/api/blobs/sha256:abc', {}],
  ['GET', '/v1/models'], ['GET', '/v1/models/qwen3-coder:free'], ['POST', '/v1/chat/completions', chat],
  ['POST', '/v1/completions', { model: 'qwen3-coder:free', prompt: 'hi' }], ['POST', '/v1/embeddings', { model: 'x', input: 'hi' }],
  ['GET', '/api/unknown-route'], ['POST', '/v1/unknown-route', {}],
];

test('the default bind address is loopback', () => {
  const config = loadConfig({ OPENROUTER_API_KEY: 'x' });
  assert.equal(config.host, '127.0.0.1');
  assert.equal(config.proxyApiKey, undefined);
});

describe('PROXY_API_KEY', () => {
  test('when set, every endpoint except GET/HEAD / needs the key, and says so in the API shape', async (t) => {
    const proxy = await startProxy(t, { env: { PROXY_API_KEY: PROXY_KEY } });
    for (const method of ['GET', 'HEAD']) assert.equal((await call(proxy, '/', { method })).status, 200);
    const wrong = [undefined, '', 'Bearer ', 'Bearer wrong', `Bearer ${PROXY_KEY}x`, `Bearer ${PROXY_KEY.slice(0, -1)}`, `Basic ${PROXY_KEY}`, PROXY_KEY, 'Bearer a-much-longer-key-than-the-real-one-0123456789'];
    for (const [method, path, body] of ROUTES) {
      for (const authorization of wrong) {
        const answer = await call(proxy, path, { method, body, headers: authorization === undefined ? {} : { Authorization: authorization } });
        assert.equal(answer.status, 401, `${method} ${path} with ${JSON.stringify(authorization)}`);
        assert.equal(answer.headers['www-authenticate'], 'Bearer');
        if (method !== 'HEAD') assert.match(errorMessage(path.startsWith('/v1') ? 'openai' : 'ollama', answer.text), /PROXY_API_KEY/);
      }
      for (const authorization of [`Bearer ${PROXY_KEY}`, `bearer  ${PROXY_KEY} `]) {
        const answer = await call(proxy, path, { method, body, headers: { Authorization: authorization } });
        assert.notEqual(answer.status, 401, `${method} ${path} with the right key: ${answer.text}`);
      }
    }
    // Nothing without the key reached OpenRouter: only the four chat routes, once per right key.
    assert.equal(proxy.fake.chatRequests().length, 8);
  });

  test('when unset, any Authorization header is ignored, including Enchanted\'s empty "Bearer "', async (t) => {
    const proxy = await startProxy(t);
    for (const authorization of ['Bearer ', 'Bearer', 'Bearer anything', 'Basic Zm9vOmJhcg==', 'garbage']) {
      const answer = await call(proxy, '/api/chat', { body: chat, headers: { Authorization: authorization } });
      assert.equal(answer.status, 200, authorization);
      assert.equal((await call(proxy, '/v1/models', { headers: { Authorization: authorization } })).status, 200);
    }
    // The client's header is never forwarded: OpenRouter always gets the configured key.
    for (const request of proxy.fake.requests) assert.equal(request.headers.authorization, `Bearer ${OPENROUTER_KEY}`);
  });

  test('the check compares fixed-length digests, so no key length is special', () => {
    const check = createAuthCheck(PROXY_KEY);
    check(`Bearer ${PROXY_KEY}`);
    // timingSafeEqual throws a RangeError on inputs of different lengths; digests never differ in length.
    for (const length of [0, 1, PROXY_KEY.length - 1, PROXY_KEY.length, PROXY_KEY.length + 1, 10_000]) {
      assert.throws(() => check(`Bearer ${'k'.repeat(length)}`), (error: unknown) => error instanceof HttpError && error.status === 401);
    }
  });
});

describe('logs', () => {
  const CONTENT = 'CANARY-CONTENT-4d9f1b';
  const SYSTEM = 'CANARY-SYSTEM-77aa01';
  // A PNG header followed by recognisable bytes, as base64.
  const IMAGE = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('CANARY-IMAGE-BYTES-'.repeat(20))]).toString('base64');

  test('never hold the OpenRouter key, the proxy key, Authorization headers, message contents or images, even at DEBUG', async (t) => {
    // A socket: the node adapter's request line is one of the logs that must stay clean.
    const proxy = await startProxy(t, { env: { PROXY_API_KEY: PROXY_KEY, LOG_LEVEL: 'DEBUG' }, socket: true });
    const auth = { Authorization: `Bearer ${PROXY_KEY}` };
    const messages = [{ role: 'system', content: SYSTEM }, { role: 'user', content: CONTENT, images: [IMAGE] }];
    // Successes, a fallback after an upstream failure, an upstream 401, a mid-stream failure, a client error.
    // A provider error that quotes the image back (its message is logged with the attempt).
    proxy.fake.script('google/gemini-2.0-flash-exp:free', { kind: 'http', status: 400, raw: `Invalid image: data:image/png;base64,${IMAGE}` });
    await call(proxy.url, '/api/chat', { headers: auth, body: { model: 'gemini-2.0-flash-exp:free', messages } });
    await call(proxy.url, '/api/chat', { headers: auth, body: { model: 'gemini-2.0-flash-exp:free', stream: false, messages } });
    await call(proxy.url, '/api/generate', { headers: auth, body: { model: 'x', system: SYSTEM, prompt: CONTENT, images: [IMAGE] } });
    await call(proxy.url, '/v1/chat/completions', { headers: auth, body: {
      model: 'gemini-2.0-flash-exp:free', stream: true,
      messages: [{ role: 'user', content: [{ type: 'text', text: CONTENT }, { type: 'image_url', image_url: { url: `data:image/png;base64,${IMAGE}` } }] }],
    } });
    await call(proxy.url, '/api/embed', { headers: auth, body: { model: 'x', input: CONTENT } });
    proxy.fake.script('*', { kind: 'http', status: 401 });
    await call(proxy.url, '/v1/chat/completions', { headers: auth, body: { model: 'x', messages: [{ role: 'user', content: CONTENT }] } });
    proxy.fake.script('*', { kind: 'error-chunk', afterChunks: 1 });
    await call(proxy.url, '/api/chat', { headers: auth, body: { model: 'x', messages: [{ role: 'user', content: `${CONTENT} more words` }] } });
    await call(proxy.url, '/api/chat', { headers: { Authorization: `Bearer ${PROXY_KEY}-wrong` }, body: { model: 'x', messages } });
    await call(proxy.url, '/api/chat', { headers: auth, body: { model: 'x', think: CONTENT, messages } });

    assert.ok(proxy.fake.requests.some((request) => request.headers.authorization === `Bearer ${OPENROUTER_KEY}`), 'the key was in use');
    const logs = proxy.logs.join('');
    assert.ok(logs.includes('"level":"DEBUG"') || logs.includes('"level":"INFO"'), 'something was logged');
    for (const secret of [OPENROUTER_KEY, 'test-key-0123456789', PROXY_KEY, `Bearer ${PROXY_KEY}`, CONTENT, SYSTEM, IMAGE.slice(0, 40), IMAGE.slice(-40), 'CANARY']) {
      assert.ok(!logs.includes(secret), `the logs contain ${secret.slice(0, 30)}`);
    }
  });

  test('redact() hides secrets and content by key, and secrets inside free text', () => {
    const CASES: Array<[unknown, unknown]> = [
      [{ authorization: 'Bearer x' }, { authorization: '[redacted]' }],
      [{ headers: { Authorization: 'x', 'x-api-key': 'y', cookie: 'z' } }, { headers: { Authorization: '[redacted]', 'x-api-key': '[redacted]', cookie: '[redacted]' } }],
      [{ apiKey: 'k', proxy_api_key: 'k', token: 't', password: 'p' }, { apiKey: '[redacted]', proxy_api_key: '[redacted]', token: '[redacted]', password: '[redacted]' }],
      [{ messages: [{ content: 'secret' }] }, { messages: '[1 items]' }],
      [{ content: 'hello', prompt: 'abc', system: 'sys', images: ['a', 'b'], input: ['x'], body: { a: 1 } },
        { content: '[5 chars]', prompt: '[3 chars]', system: '[3 chars]', images: '[2 items]', input: '[1 items]', body: '[redacted]' }],
      ['failed with sk-or-v1-0123456789abcdef', 'failed with sk-or-v1-0[redacted]'],
      ['header Bearer abc.def-ghi was rejected', 'header Bearer [redacted] was rejected'],
      ['cannot reach https://user:pass@openrouter.ai/api/v1', 'cannot reach https://[redacted]@openrouter.ai/api/v1'],
      [`bad image data:image/png;base64,${'iVBORw0KGgo'.repeat(20)}==`, 'bad image data:image/png;base64,[222 base64 chars]'],
      ['model meta-llama/llama-3.3-70b-instruct:free at /api/v1/chat/completions', 'model meta-llama/llama-3.3-70b-instruct:free at /api/v1/chat/completions'],
      [new Error('bad key sk-or-v1-abcdefgh'), { name: 'Error', message: 'bad key sk-or-v1-a[redacted]' }],
    ];
    for (const [input, expected] of CASES) assert.deepEqual(redact(input), expected);
  });
});

describe('CORS, as Ollama does it', () => {
  test('local origins are echoed (never *), others refused; preflights answer only allowed origins', async (t) => {
    const proxy = await startProxy(t, { env: { CORS_ORIGINS: 'https://chat.example.com' } });
    for (const origin of ['http://localhost:3000', 'http://127.0.0.1', 'app://obsidian.md', 'vscode-webview://abc', 'https://chat.example.com']) {
      const answer = await call(proxy, '/api/tags', { headers: { Origin: origin } });
      assert.equal(answer.status, 200, origin);
      assert.equal(answer.headers['access-control-allow-origin'], origin);
      assert.equal(answer.headers.vary, 'Origin');
      const preflight = await call(proxy, '/api/chat', { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': 'POST' } });
      assert.equal(preflight.status, 204);
      assert.equal(preflight.headers['access-control-allow-origin'], origin);
      assert.match(String(preflight.headers['access-control-allow-headers']), /Authorization/);
    }
    for (const origin of ['https://evil.example', 'http://localhost.evil.example', 'null', 'https://chat.example.com.evil.example']) {
      for (const [method, path] of [['GET', '/api/tags'], ['OPTIONS', '/api/chat'], ['POST', '/v1/chat/completions']] as const) {
        const answer = await call(proxy, path, { method, headers: { Origin: origin }, body: method === 'POST' ? chat : undefined });
        assert.equal(answer.status, 403, `${origin} ${method} ${path}`);
        assert.equal(answer.headers['access-control-allow-origin'], undefined);
        errorMessage(path.startsWith('/v1') ? 'openai' : 'ollama', answer.text);
      }
    }
    const plain = await call(proxy, '/api/tags');
    assert.equal(plain.headers['access-control-allow-origin'], undefined);
    assert.equal(proxy.fake.chatRequests().length, 0);
  });

  test('a non-local Host header is refused on a loopback bind (DNS rebinding)', async (t) => {
    const proxy = await startProxy(t);
    for (const host of ['evil.example', 'evil.example:11434', '10.0.0.1']) {
      const answer = await call(proxy, '/api/tags', { headers: { Host: host } });
      assert.equal(answer.status, 403, host);
    }
    for (const host of ['localhost:11434', '127.0.0.1', '[::1]:11434']) {
      assert.equal((await call(proxy, '/api/tags', { headers: { Host: host } })).status, 200, host);
    }
  });
});

test('a client can never make the proxy reach a host other than the configured OpenRouter', async (t) => {
  const urls: string[] = [];
  const recording: typeof fetch = (input, init) => {
    urls.push(String(input instanceof Request ? input.url : input));
    return fetch(input, init);
  };
  // A socket: raw request targets (`//host/x`, `http://host/x`) reach the app only through node's parser.
  const proxy = await startProxy(t, { fetch: recording, socket: true });
  const evil = ['http://evil.example/x', '//evil.example/x', '@evil.example', '../../../etc/passwd', 'evil.example:80/x', '%2F%2Fevil.example'];
  for (const model of evil) {
    await call(proxy.url, '/api/chat', { body: { model, stream: false, messages: [{ role: 'user', content: 'hi' }] } });
    await call(proxy.url, '/v1/chat/completions', { body: { model, messages: [{ role: 'user', content: 'hi' }], base_url: 'http://evil.example', api_base: 'http://evil.example' } });
    await call(proxy.url, '/api/embed', { body: { model, input: 'hi' } });
    await call(proxy.url, '/api/show', { body: { model } });
    await call(proxy.url, `/v1/models/${encodeURIComponent(model)}`);
    await call(proxy.url, '/api/pull', { body: { model, insecure: true } });
  }
  for (const path of ['//evil.example/api/chat', '/api/chat?base_url=http://evil.example', 'http://evil.example/api/chat']) {
    await call(proxy.url, path, { body: chat, headers: { 'X-Forwarded-Host': 'evil.example', Forwarded: 'host=evil.example' } });
  }
  assert.ok(urls.length > 0);
  for (const url of urls) assert.ok(url.startsWith(`${proxy.config.baseUrl}/`), url);
  assert.ok(urls.every((url) => /\/(chat\/completions|embeddings|models\?output_modalities=all|key)$/.test(new URL(url).pathname + new URL(url).search)), urls.join('\n'));
});
