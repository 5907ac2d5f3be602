// Bad input: each gets a clear 4xx in the API's error shape, and the server stays up.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { describe, test, type TestContext } from 'node:test';
import { HttpError } from '../../src/errors.ts';
import { CLIENT_APIS } from '../../src/dialects/client-apis.ts';
import { createHandle } from '../../src/http/handle.ts';
import { createHttpServer } from '../../src/http/http-server.ts';
import { errorReplier } from '../../src/serving/client-api.ts';
import { createUrlRouter } from '../../src/http/url-router.ts';
import { silentLogger } from '../../src/logger.ts';
import { startProxy, type Proxy, type Target } from '../helpers/harness.ts';
import { call, errorMessage } from '../helpers/reliability-helpers.ts';

type Shape = 'ollama' | 'openai';

async function assertAlive(target: Target): Promise<void> {
  const answer = await call(target, '/');
  assert.equal(answer.status, 200);
  assert.equal(answer.text, 'Ollama is running');
}

async function expectError(target: Target, path: string, body: unknown, status: number, message: RegExp, headers: Record<string, string> = {}): Promise<void> {
  const shape: Shape = path.startsWith('/v1/') ? 'openai' : 'ollama';
  const answer = await call(target, path, { body, headers });
  assert.equal(answer.status, status, `${path} ${String(body).slice(0, 60)} → ${answer.status} ${answer.text.slice(0, 200)}`);
  assert.match(String(answer.headers['content-type']), /^application\/json/);
  assert.match(errorMessage(shape, answer.text), message);
}

const user = [{ role: 'user', content: 'hi' }];

// [path, body, expected message]; every one is a 400.
const INVALID: Array<[string, unknown, RegExp]> = [
  ['/api/chat', '{"model":', /invalid JSON/],
  ['/v1/chat/completions', '{"model": "x",}', /invalid JSON/],
  ['/api/generate', 'not json at all', /invalid JSON/],
  ['/api/chat', '[{"model":"x"}]', /must be a JSON object/],
  ['/v1/chat/completions', '"a string"', /must be a JSON object/],
  ['/api/embed', '42', /must be a JSON object/],
  ['/api/chat', 'null', /must be a JSON object/],
  ['/api/chat', '', /missing request body/],
  ['/v1/chat/completions', '   ', /missing request body/],
  ['/api/chat', { messages: user }, /model/],
  ['/v1/chat/completions', { messages: user }, /model is required/],
  ['/v1/chat/completions', { model: 'x' }, /messages must be an array/],
  ['/v1/completions', { model: 'x' }, /prompt must be a string/],
  ['/api/chat', { model: 42, messages: user }, /model/],
  ['/api/chat', { model: 'x', messages: 'hi' }, /messages/],
  ['/api/chat', { model: 'x', messages: [1] }, /messages/],
  ['/api/chat', { model: 'x', messages: [{ role: 'user', content: 5 }] }, /content/],
  ['/api/chat', { model: 'x', messages: [{ role: 'wizard', content: 'hi' }] }, /role/],
  ['/api/chat', { model: 'x', messages: user, stream: 'yes' }, /stream/],
  ['/api/chat', { model: 'x', messages: [{ role: 'user', content: 'hi', images: [1] }] }, /images/],
  ['/api/chat', { model: 'x', messages: [{ role: 'user', content: 'hi', images: ['not base64!'] }] }, /base64/],
  ['/v1/chat/completions', { model: 'x', messages: ['hi'] }, /messages must be an array of objects/],
  ['/v1/chat/completions', { model: 'x', messages: user, stream: 1 }, /stream must be a boolean/],
  ['/api/generate', { model: 'x', prompt: ['a'] }, /prompt/],
  ['/v1/embeddings', { model: 'x', input: { a: 1 } }, /input/],
];

describe('malformed or mistyped bodies', () => {
  test('each gets a 400 that says what is wrong, in the API shape', async (t) => {
    const proxy = await startProxy(t);
    for (const [path, body, message] of INVALID) await expectError(proxy, path, body, 400, message);
    assert.equal(proxy.fake.chatRequests().length, 0, 'nothing invalid went upstream');
    await assertAlive(proxy);
  });

  test('deeply nested JSON is refused without recursing (balanced and unbalanced)', async (t) => {
    const proxy = await startProxy(t);
    const depth = 200_000;
    await expectError(proxy, '/api/chat', `${'['.repeat(depth)}${']'.repeat(depth)}`, 400, /nested more than 64 levels/);
    await expectError(proxy, '/v1/chat/completions', `{"model":"x","messages":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`, 400, /nested more than 64 levels/);
    await expectError(proxy, '/api/chat', '['.repeat(depth), 400, /invalid JSON/);
    // A realistic depth (a tool schema inside a tool inside a list) is fine.
    const schema = JSON.parse(`${'{"type":"object","properties":{"x":'.repeat(10)}{"type":"string"}${'}}'.repeat(10)}`);
    const ok = await call(proxy, '/v1/chat/completions', { body: { model: 'x', messages: user, tools: [{ type: 'function', function: { name: 'f', parameters: schema } }] } });
    assert.equal(ok.status, 200, ok.text);
    await assertAlive(proxy);
  });

  test('invalid UTF-8 is a 400', async (t) => {
    const proxy = await startProxy(t);
    const bytes = Buffer.concat([Buffer.from('{"model":"x","messages":[{"role":"user","content":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}]}')]);
    await expectError(proxy, '/api/chat', bytes, 400, /not valid UTF-8/);
    await expectError(proxy, '/v1/chat/completions', bytes, 400, /not valid UTF-8/);
    await assertAlive(proxy);
  });

  test('a JSON body is read whatever its Content-Type, as Ollama does', async (t) => {
    const proxy = await startProxy(t);
    const answer = await call(proxy, '/api/chat', { body: JSON.stringify({ model: 'x', stream: false, messages: user }), headers: { 'Content-Type': 'text/plain' } });
    assert.equal(answer.status, 200);
  });
});

describe('body size limit (MAX_BODY_MB)', () => {
  test('a body over the limit is a 413 in the API shape, with or without Content-Length', async (t) => {
    // The socket is the point: the proxy answers while the client is still sending.
    const proxy = await startProxy(t, { env: { MAX_BODY_MB: '1' }, socket: true });
    // Far larger than the socket buffers, so the client is still sending when the proxy answers.
    const big = JSON.stringify({ model: 'x', messages: [{ role: 'user', content: 'x'.repeat(5_000_000) }] });
    await expectError(proxy.url, '/api/chat', big, 413, /^request body is larger than 1\.0 MiB \(raise MAX_BODY_MB to allow more\)$/);
    await expectError(proxy.url, '/v1/chat/completions', big, 413, /MAX_BODY_MB/);
    // Chunked: no Content-Length to reject up front, so the limit applies while reading.
    const bytes = new TextEncoder().encode(big);
    const chunked = await fetch(`${proxy.url}/v1/chat/completions`, {
      method: 'POST',
      body: ReadableStream.from([bytes.subarray(0, 500_000), bytes.subarray(500_000)]),
      duplex: 'half',
    } as RequestInit);
    assert.equal(chunked.status, 413);
    assert.match(errorMessage('openai', await chunked.text()), /MAX_BODY_MB/);
    await assertAlive(proxy.url);
  });

  test('the default limit is large enough for images', async (t) => {
    const proxy = await startProxy(t);
    assert.ok(proxy.config.maxBodyBytes >= 20 * 1024 * 1024);
    // An 8 MB PNG, as base64.
    const image = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(8 * 1024 * 1024, 7)]).toString('base64');
    const answer = await call(proxy, '/api/chat', {
      body: { model: 'gemini-2.0-flash-exp:free', stream: false, messages: [{ role: 'user', content: 'what is this?', images: [image] }] },
    });
    assert.equal(answer.status, 200, answer.text.slice(0, 300));
    assert.equal(JSON.parse(answer.text).message.content, 'Echo: what is this?');
  });
});

describe('bodies are parsed only for handlers that read them', () => {
  test('a binary blob upload gets the unmanaged-operation answer, not "invalid JSON"', async (t) => {
    const proxy = await startProxy(t);
    const answer = await call(proxy, `/api/blobs/sha256:${'ab'.repeat(32)}`, { body: Buffer.from('GGUF\u0003\u0000\u00ffbinary'), headers: { 'Content-Type': 'application/octet-stream' } });
    assert.equal(answer.status, 501);
    assert.match(errorMessage('ollama', answer.text), /not supported/);
  });

  test('a route marked body: "ignore" never reads the body, however large', async (t) => {
    const errorReply = errorReplier(CLIENT_APIS);
    const handle = createHandle({
      route: createUrlRouter([
        { methods: ['POST'], path: '/upload', body: 'ignore', handler: () => { throw new HttpError(501, 'uploads are not supported'); } },
        { methods: ['POST'], path: '/echo', handler: (request) => ({ json: { got: request.body } }) },
        { methods: ['POST'], path: '/ignore', handler: () => ({ json: { ok: true } }) },
      ]),
      logger: silentLogger, proxyApiKey: undefined, corsOrigins: [], checkHost: false, errorReply,
    });
    const server = createHttpServer({ handle, errorReply, socket: { logger: silentLogger, maxBodyBytes: 1024 } });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.after(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const upload = await call(url, '/upload', { body: Buffer.alloc(5_000_000, 1) });
    assert.equal(upload.status, 501, upload.text);
    assert.equal((await call(url, '/echo', { body: '{"a":1}' })).text, '{"got":{"a":1}}');
    assert.equal((await call(url, '/echo', { body: '{"a":' })).status, 400);
    assert.equal((await call(url, '/echo', { body: 'x'.repeat(2_000) })).status, 413);
    assert.equal((await call(url, '/ignore', { body: '{"a":' })).status, 200);
  });
});

describe('unknown routes and methods', () => {
  const CASES: Array<[string, string, number]> = [
    ['GET', '/api/nope', 404],
    ['POST', '/api/chat/extra', 404],
    ['GET', '/v1/nope', 404],
    ['GET', '/v1', 404],
    ['GET', '/api/chat', 405],
    ['PUT', '/api/tags', 405],
    ['DELETE', '/v1/chat/completions', 405],
    ['PATCH', '/', 405],
  ];
  test('404 for unknown paths and 405 for wrong methods, in the API shape of the path', async (t) => {
    const proxy = await startProxy(t);
    for (const [method, path, status] of CASES) {
      const answer = await call(proxy, path, { method });
      assert.equal(answer.status, status, `${method} ${path}: ${answer.text}`);
      errorMessage(path.startsWith('/v1') ? 'openai' : 'ollama', answer.text);
    }
    await assertAlive(proxy);
  });
});

describe('broken HTTP', () => {
  async function rawServer(proxy: Proxy, t: TestContext): Promise<(bytes: string) => Promise<string>> {
    const server = createHttpServer(proxy.app, { headersTimeoutMs: 200, requestTimeoutMs: 400, keepAliveTimeoutMs: 200, checkIntervalMs: 20 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.after(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });
    const { port } = server.address() as { port: number };
    return (bytes) => exchangeRaw(port, bytes);
  }

  const bodyOf = (answer: string): string => answer.slice(answer.indexOf('\r\n\r\n') + 4);

  test('a garbled request line, oversized headers, and slow or incomplete requests get JSON errors', async (t) => {
    // A socket too: after the broken requests, a well-formed one over a socket still gets its answer.
    const proxy = await startProxy(t, { socket: true });
    const exchange = await rawServer(proxy, t);
    const garbled = await exchange('GARBAGE\r\n\r\n');
    assert.match(garbled, /^HTTP\/1\.1 400 /);
    assert.match(errorMessage('ollama', bodyOf(garbled)), /malformed HTTP request/);
    const huge = await exchange(`GET /api/tags HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    assert.match(huge, /^HTTP\/1\.1 431 /);
    assert.match(errorMessage('ollama', bodyOf(huge)), /headers are too large/);
    const slowHeaders = await exchange('GET /api/tags HTTP/1.1\r\nHost: localhost\r\n');
    assert.match(slowHeaders, /^HTTP\/1\.1 408 /);
    const incompleteBody = await exchange('POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Length: 50\r\n\r\n{"model"');
    assert.match(incompleteBody, /^HTTP\/1\.1 408 /);
    assert.match(errorMessage('openai', bodyOf(incompleteBody)), /request timed out/);
    // node's parser rejects methods it does not know before any route could.
    const unknownMethod = await exchange('BREW /api/chat HTTP/1.1\r\nHost: localhost\r\n\r\n');
    assert.match(unknownMethod, /^HTTP\/1\.1 400 /);
    errorMessage('ollama', bodyOf(unknownMethod));
    const badLength = await exchange('POST /api/chat HTTP/1.1\r\nHost: localhost\r\nContent-Length: banana\r\n\r\n');
    assert.match(badLength, /^HTTP\/1\.1 400 /);
    errorMessage('ollama', bodyOf(badLength));
    await assertAlive(proxy.url);
  });
});

describe('broken HTTP, in the shape of the API the request was for', () => {
  const bodyOf = (answer: string): string => answer.slice(answer.indexOf('\r\n\r\n') + 4);

  const exchange = (proxy: Proxy, bytes: string): Promise<string> => exchangeRaw(Number(new URL(proxy.url).port), bytes);

  test('headers too large: 431 in Anthropic\'s shape on /v1/messages, and for an Anthropic client on /v1/models', async (t) => {
    // node's own parser answers these: only a socket reaches it.
    const proxy = await startProxy(t, { socket: true });
    const big = `X-Big: ${'a'.repeat(20_000)}\r\n`;
    const messages = await exchange(proxy, `POST /v1/messages HTTP/1.1\r\nHost: localhost\r\n${big}\r\n`);
    assert.match(messages, /^HTTP\/1\.1 431 /);
    assert.match(errorMessage('anthropic', bodyOf(messages)), /headers are too large/);
    const models = await exchange(proxy, `GET /v1/models HTTP/1.1\r\nHost: localhost\r\nanthropic-version: 2023-06-01\r\n${big}\r\n`);
    errorMessage('anthropic', bodyOf(models));
    const openai = await exchange(proxy, `POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\n${big}\r\n`);
    errorMessage('openai', bodyOf(openai));
  });

  test('no Host header: a 400 that says so, in the API shape', async (t) => {
    // A request without Host can only be sent over a raw socket.
    const proxy = await startProxy(t, { socket: true });
    for (const [path, shape] of [['/v1/messages', 'anthropic'], ['/v1/chat/completions', 'openai'], ['/api/chat', 'ollama']] as const) {
      const answer = await exchange(proxy, `POST ${path} HTTP/1.1\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`);
      assert.match(answer, /^HTTP\/1\.1 400 /);
      assert.match(errorMessage(shape, bodyOf(answer)), /Host header is required/);
    }
    // HTTP/1.0 has no Host requirement.
    const old = await exchange(proxy, 'GET / HTTP/1.0\r\n\r\n');
    assert.match(old, /^HTTP\/1\.1 200 /);
  });
});

/** Sends raw bytes on a fresh loopback connection and returns all that comes back before it closes. */
async function exchangeRaw(port: number, bytes: string): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  socket.write(bytes);
  let answer = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
  await once(socket, 'close');
  return answer;
}
