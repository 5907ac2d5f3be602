// Stopping the real process: answers still streaming when SHUTDOWN_GRACE_SECONDS is over end with
// their API's error ending (not a cut connection), the upstream is let go, no model is blamed; and
// an open dashboard does not hold the exit up.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { startFakeOpenRouter, type FakeOpenRouter } from '../../src/fake-openrouter/server.ts';
import { openFailureStore } from '../../src/store/failure-store.ts';
import { APIS, endingOf, PATHS, requestBody, type Api } from '../helpers/four-apis.ts';
import { call, eventually, spawnProxy, type Spawned } from '../helpers/reliability-helpers.ts';

async function spawned(t: TestContext, env: Record<string, string>): Promise<{ proxy: Spawned; fake: FakeOpenRouter; db: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'shutdown-endings-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const fake = await startFakeOpenRouter();
  t.after(() => fake.close());
  const db = join(dir, 'failures.db');
  const proxy = await spawnProxy(t, { OPENROUTER_API_KEY: 'sk-or-v1-shutdown-test', OPENROUTER_BASE_URL: fake.url, PORT: '0', FAILURE_DB: db, FREE_MODELS_CACHE: join(dir, 'cache'), ...env });
  await eventually(async () => JSON.parse((await call(proxy.url, '/api/tags')).text).models?.length > 0, 'the catalog is loaded', 5_000);
  return { proxy, fake, db };
}

/** Opens a request and resolves once its first body bytes are in; `text` resolves when it ends, however. */
async function open(url: string, path: string, body: unknown): Promise<{ res: IncomingMessage; text: Promise<string> }> {
  const req = request(`${url}${path}`, { method: 'POST', agent: false, headers: { 'Content-Type': 'application/json' } });
  req.on('error', () => {});
  req.end(JSON.stringify(body));
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  res.setEncoding('utf8');
  let text = '';
  const first = once(res, 'data').then(([chunk]) => void (text += chunk as string));
  const text$ = new Promise<string>((resolve) => {
    res.on('end', () => resolve(text));
    res.on('close', () => resolve(text));
  });
  await first;
  res.on('data', (chunk: string) => (text += chunk));
  return { res, text: text$ };
}

test('streams still open when the grace period is over end with each API\'s error ending', { timeout: 30_000 }, async (t) => {
  const { proxy, fake, db } = await spawned(t, { SHUTDOWN_GRACE_SECONDS: '0.3' });
  // A 60-second answer in each API: far longer than the grace period.
  const streams = await Promise.all(APIS.map((api) => open(proxy.url, PATHS[api], requestBody(api, 'qwen3-coder:free', '[chunks=600] [delay=100]', true))));
  proxy.child.kill('SIGTERM');
  const texts = await Promise.all(streams.map((stream) => stream.text));
  for (const [index, api] of APIS.entries()) {
    const stream = streams[index];
    assert.ok(stream);
    const ending = endingOf(api as Api, true, { status: stream.res.statusCode ?? 0, headers: stream.res.headers, text: texts[index] ?? '' });
    assert.equal(ending.ended, 'error', `${api}: ${texts[index]?.slice(-300)}`);
    assert.match(ending.error ?? '', /shutting down .*SHUTDOWN_GRACE_SECONDS \(0\.3 s\)/, api);
    assert.ok(ending.content.length > 0, `${api} had content before the end`);
  }
  const exit = await proxy.exited;
  assert.equal(exit.code, 0);
  assert.equal(await fake.waitForAbort(1_000), true, 'the upstream streams were let go');
  // Stopping is nobody's failure: no model was cooled down for it.
  const { store } = openFailureStore(db);
  t.after(() => store.close());
  assert.deepEqual(store.activeCooldowns(Date.now()), []);
});

test('an open dashboard does not hold a stopping proxy up', { timeout: 30_000 }, async (t) => {
  const { proxy } = await spawned(t, { SHUTDOWN_GRACE_SECONDS: '20' });
  const req = request(`${proxy.url}/status/events`, { agent: false });
  req.end();
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  res.resume();
  const ended = once(res, 'end');
  proxy.child.kill('SIGTERM');
  await ended;
  // Well within the 20 s grace: nothing else was open.
  const exit = await proxy.exited;
  assert.equal(exit.code, 0);
  assert.ok(!proxy.logs().some((entry) => entry.msg.includes('grace period over')), 'exited before the grace period was over');
});
