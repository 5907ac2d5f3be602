// State and lifecycle, against the real entry point (`node src/main.ts`) with a controlled
// environment: startup on PORT=0, signals and graceful shutdown, and damaged state files.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { startFakeOpenRouter, type FakeOpenRouter } from '../../src/fake-openrouter/server.ts';
import { startProxy } from '../helpers/harness.ts';
import { call, eventually, spawnProxy, type Spawned } from '../helpers/reliability-helpers.ts';

const OPENROUTER_KEY = 'sk-or-v1-lifecycle-0123456789abcdef';

interface Scratch {
  dir: string;
  fake: FakeOpenRouter;
  env: Record<string, string>;
}

async function scratch(t: TestContext, extra: Record<string, string> = {}): Promise<Scratch> {
  const dir = mkdtempSync(join(tmpdir(), 'proxy-lifecycle-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const fake = await startFakeOpenRouter();
  t.after(() => fake.close());
  const env = {
    OPENROUTER_API_KEY: OPENROUTER_KEY,
    OPENROUTER_BASE_URL: fake.url,
    PORT: '0',
    FAILURE_DB: join(dir, 'failures.db'),
    FREE_MODELS_CACHE: join(dir, 'free-models'),
    MODEL_FILTER_PATH: join(dir, 'filter'),
    ...extra,
  };
  return { dir, fake, env };
}

/** Starts a streamed chat that lasts `chunks * delayMs` and resolves once its first line arrives. */
async function startStream(url: string, chunks: number, delayMs: number, agent: Agent | false = false): Promise<{ res: IncomingMessage; text: Promise<string> }> {
  const req = request(`${url}/api/chat`, { method: 'POST', agent, headers: { 'Content-Type': 'application/json' } });
  req.on('error', () => {});
  req.end(JSON.stringify({ model: 'qwen3-coder:free', messages: [{ role: 'user', content: `[chunks=${chunks}] [delay=${delayMs}]` }] }));
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  let text = '';
  res.setEncoding('utf8');
  const first = once(res, 'data');
  const done = new Promise<string>((resolve) => {
    res.on('data', (chunk: string) => (text += chunk));
    res.on('end', () => resolve(text));
    res.on('error', () => resolve(text));
    res.on('close', () => resolve(text));
  });
  await first;
  return { res, text: done };
}

async function catalogReady(proxy: Spawned): Promise<void> {
  await eventually(async () => JSON.parse((await call(proxy.url, '/api/tags')).text).models?.length > 0, 'the catalog is loaded', 5_000);
}

function refusesConnections(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

async function exitWithin(proxy: Spawned, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`still running after ${ms} ms:\n${proxy.stderr()}`)), ms)));
  try {
    const exit = await Promise.race([proxy.exited, timeout]);
    return { ...exit, ms: performance.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

describe('startup and shutdown', () => {
  test('PORT=0 works, the listening line has the real port on loopback, and SIGTERM exits 0 with the database closed', async (t) => {
    const { env } = await scratch(t, { PROXY_API_KEY: 'proxy-key-lifecycle-5566', LOG_LEVEL: 'DEBUG' });
    const proxy = await spawnProxy(t, env);
    const url = new URL(proxy.url);
    assert.equal(url.hostname, '127.0.0.1');
    assert.ok(Number(url.port) > 0);
    assert.equal((await call(proxy.url, '/')).text, 'Ollama is running');
    const auth = { Authorization: 'Bearer proxy-key-lifecycle-5566' };
    await eventually(async () => (await call(proxy.url, '/api/tags', { headers: auth })).text.includes('qwen3-coder'), 'the catalog is loaded', 5_000);
    const chat = await call(proxy.url, '/api/chat', { headers: auth, body: { model: 'qwen3-coder:free', stream: false, messages: [{ role: 'user', content: 'CANARY-LIFECYCLE-31' }] } });
    assert.equal(JSON.parse(chat.text).message.content, 'Echo: CANARY-LIFECYCLE-31');
    assert.ok(existsSync(`${env.FAILURE_DB}-wal`), 'the database is open in WAL mode');

    proxy.child.kill('SIGTERM');
    const exit = await exitWithin(proxy, 5_000);
    assert.equal(exit.code, 0);
    const messages = proxy.logs().map((entry) => entry.msg);
    assert.ok(messages.includes('shutting down') && messages.includes('stopped'), messages.join(', '));
    // SQLite removes the write-ahead log when the last connection closes cleanly.
    assert.equal(existsSync(`${env.FAILURE_DB}-wal`), false, 'the database was closed');
    // The real process's logs, DEBUG included, hold neither key nor the message.
    for (const secret of [OPENROUTER_KEY, 'lifecycle-0123456789abcdef', 'proxy-key-lifecycle-5566', 'CANARY-LIFECYCLE']) {
      assert.ok(!proxy.stderr().includes(secret), `stderr contains ${secret}`);
    }
  });

  test('SIGINT works the same way', async (t) => {
    const { env } = await scratch(t);
    const proxy = await spawnProxy(t, env);
    proxy.child.kill('SIGINT');
    assert.equal((await exitWithin(proxy, 5_000)).code, 0);
  });

  test('SIGTERM stops accepting connections but lets an in-flight stream finish', async (t) => {
    const { env } = await scratch(t);
    const proxy = await spawnProxy(t, env);
    await catalogReady(proxy);
    // A keep-alive connection, which stays open after the stream unless the stopping server closes it.
    const agent = new Agent({ keepAlive: true });
    t.after(() => agent.destroy());
    const stream = await startStream(proxy.url, 8, 100, agent);
    assert.equal(stream.res.headers.connection, 'keep-alive');
    proxy.child.kill('SIGTERM');
    await eventually(() => proxy.logs().some((entry) => entry.msg === 'shutting down'), 'the signal arrived');
    assert.equal(await refusesConnections(proxy.url), true, 'new connections are refused');
    const lines = (await stream.text).trimEnd().split('\n').map((line) => JSON.parse(line));
    assert.equal(lines.at(-1).done, true, 'the stream finished');
    assert.equal(lines.map((line) => line.message.content).join(''), Array.from({ length: 8 }, (_, i) => `tok${i} `).join(''));
    const exit = await exitWithin(proxy, 5_000);
    assert.equal(exit.code, 0);
    assert.ok(exit.ms < 1_000, `exited ${exit.ms} ms after the stream ended: a keep-alive connection must not hold it`);
  });

  test('the wait is bounded by SHUTDOWN_GRACE_SECONDS', async (t) => {
    const { env, fake } = await scratch(t, { SHUTDOWN_GRACE_SECONDS: '0.3' });
    const proxy = await spawnProxy(t, env);
    await catalogReady(proxy);
    const stream = await startStream(proxy.url, 200, 100);
    proxy.child.kill('SIGTERM');
    const exit = await exitWithin(proxy, 3_000);
    assert.equal(exit.code, 0);
    assert.ok(exit.ms < 1_500, `took ${exit.ms} ms`);
    assert.doesNotMatch(await stream.text, /"done":true/);
    assert.equal(await fake.waitForAbort(1_000), true, 'the upstream stream was aborted too');
  });

  test('a second signal exits at once', async (t) => {
    const { env } = await scratch(t, { SHUTDOWN_GRACE_SECONDS: '60' });
    const proxy = await spawnProxy(t, env);
    await catalogReady(proxy);
    await startStream(proxy.url, 600, 100);
    proxy.child.kill('SIGTERM');
    await eventually(() => proxy.logs().some((entry) => entry.msg === 'shutting down'), 'the first signal arrived');
    proxy.child.kill('SIGINT');
    const exit = await exitWithin(proxy, 2_000);
    assert.notEqual(exit.code, 0);
    assert.ok(exit.ms < 1_000, `took ${exit.ms} ms`);
  });

  test('an invalid variable stops startup with a message that names it', async (t) => {
    const { env } = await scratch(t, { MAX_BODY_MB: 'lots' });
    const proxy = await spawnProxy(t, env, { waitForListening: false });
    const exit = await exitWithin(proxy, 5_000);
    assert.equal(exit.code, 1);
    assert.match(proxy.stderr(), /MAX_BODY_MB="lots" is invalid/);
  });
});

describe('damaged state', () => {
  test('an unwritable FAILURE_DB stops startup with a message naming the variable and the path', async (t) => {
    const { dir, env } = await scratch(t);
    writeFileSync(join(dir, 'a-file'), 'not a directory');
    const path = join(dir, 'a-file', 'failures.db');
    const proxy = await spawnProxy(t, { ...env, FAILURE_DB: path }, { waitForListening: false });
    const exit = await exitWithin(proxy, 5_000);
    assert.equal(exit.code, 1);
    const error = proxy.logs().find((entry) => entry.level === 'ERROR');
    assert.ok(error, proxy.stderr());
    assert.match(error.msg, /FAILURE_DB/);
    assert.ok(error.msg.includes(path), error.msg);
  });

  test('a corrupt FAILURE_DB is moved aside with a WARN, and the proxy starts fresh', async (t) => {
    const { dir, env } = await scratch(t);
    writeFileSync(env.FAILURE_DB as string, 'this is not an SQLite database, just text that fills the header page. '.repeat(100));
    const proxy = await spawnProxy(t, env);
    const warning = proxy.logs().find((entry) => entry.level === 'WARN' && /corrupt/.test(entry.msg));
    assert.ok(warning, proxy.stderr());
    assert.ok(warning.msg.includes(env.FAILURE_DB as string));
    assert.ok(readdirSync(dir).some((name) => name.startsWith('failures.db.corrupt-')));
    await catalogReady(proxy);
  });

  for (const [name, damage] of [
    ['garbage', (path: string) => {
      writeFileSync(`${path}.json`, '{"fetchedAt": "yesterday", "models": 7');
      writeFileSync(path, '\u0000\u0001 not a model list');
    }],
    ['unreadable', (path: string) => {
      // A directory where the file should be: unreadable even to root.
      mkdirSync(`${path}.json`);
      mkdirSync(path);
    }],
  ] as const) {
    test(`a ${name} catalog cache is ignored with a WARN and fetched afresh`, async (t) => {
      const { env, fake } = await scratch(t);
      damage(env.FREE_MODELS_CACHE as string);
      const proxy = await spawnProxy(t, env);
      await catalogReady(proxy);
      const warnings = proxy.logs().filter((entry) => entry.level === 'WARN' && entry.msg === 'ignoring unreadable catalog cache');
      assert.ok(warnings.length >= 1, proxy.stderr());
      assert.ok(fake.requests.some((request) => request.path.startsWith('/api/v1/models')), 'fetched from OpenRouter');
    });
  }

  test('an unreadable filter file logs a WARN and keeps the previous filter', async (t) => {
    const proxy = await startProxy(t);
    const filter = join(proxy.dir, 'filter');
    writeFileSync(filter, 'qwen\n');
    const names = async () => JSON.parse((await call(proxy, '/api/tags')).text).models.map((model: { name: string }) => model.name);
    assert.deepEqual(await names(), ['qwen3-coder:free']);
    rmSync(filter);
    mkdirSync(filter);
    assert.deepEqual(await names(), ['qwen3-coder:free']);
    assert.ok(proxy.logs.some((line) => line.includes('"level":"WARN"') && line.includes('cannot read model filter')), proxy.logs.join(''));
  });
});
