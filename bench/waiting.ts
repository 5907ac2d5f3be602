// What requests cost while they wait for the per-minute free-model cap: the proxy and the offline
// OpenRouter run in this process, so process.cpuUsage() over the waiting window covers both.
import type { AddressInfo } from 'node:net';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { startFakeOpenRouter } from '../src/fake-openrouter/server.ts';
import { createHttpServer } from '../src/http/http-server.ts';
import { silentLogger } from '../src/logger.ts';
import { openFailureStore } from '../src/store/failure-store.ts';

const FIRST_MODEL = 'google/gemini-2.0-flash-exp:free';

/** CPU ms used per second while `waiters` requests wait `waitMs` for the cap to lift, and whether all were then served. */
export async function measureWaiting(waiters: number, waitMs: number, env: Record<string, string>) {
  const fake = await startFakeOpenRouter();
  const config = loadConfig({ ...env, FAILURE_DB: ':memory:', OPENROUTER_BASE_URL: fake.url, LOG_LEVEL: 'ERROR' });
  const { store } = openFailureStore(':memory:');
  const app = createApp({ config, store, logger: silentLogger, limits: {} });
  app.start();
  const server = createHttpServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/chat`;
  try {
    await app.catalog.ready();
    fake.script(FIRST_MODEL, { kind: 'rate-limit', scope: 'per-min', resetAt: Date.now() + waitMs });
    const body = JSON.stringify({ model: 'x', stream: false, messages: [{ role: 'user', content: 'hi' }] });
    const replies = Array.from({ length: waiters }, () => fetch(url, { method: 'POST', body }).then((response) => response.status));
    const waits = app.router.resilience()?.waits;
    // Bounded: the queue fills within the first half of the wait, or the figure is not measured.
    const fillDeadline = performance.now() + waitMs / 2;
    while ((waits?.waiting().count ?? 0) < waiters && performance.now() < fillDeadline) await new Promise((resolve) => setTimeout(resolve, 10));
    const queued = waits?.waiting().count ?? 0;
    const windowMs = Math.max(0, (waits?.waiting().nextReleaseAt ?? Date.now()) - Date.now() - 100);
    const cpuBefore = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const cpu = process.cpuUsage(cpuBefore);
    const statuses = await Promise.all(replies);
    return {
      waiters,
      queued,
      windowMs,
      cpuMsPerSecond: windowMs === 0 ? Number.NaN : ((cpu.user + cpu.system) / 1000 / windowMs) * 1000,
      served: statuses.filter((status) => status === 200).length,
    };
  } finally {
    app.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    store.close();
    await fake.close();
  }
}
