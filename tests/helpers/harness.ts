// Shared test setup: a real offline OpenRouter and a real proxy, both on loopback port 0.
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { createApp, type App, type AppDeps } from '../../src/app.ts';
import { createHttpServer } from '../../src/http/http-server.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { startFakeOpenRouter, type FakeOpenRouter, type FakeOpenRouterOptions } from '../../src/fake-openrouter/server.ts';
import { createLogger } from '../../src/logger.ts';
import { openFailureStore, type FailureStore } from '../../src/store/failure-store.ts';
import { openUsageCounter } from '../../src/store/usage-counter.ts';
import type { Clock } from '../../src/clock.ts';

export interface Proxy {
  /** The proxy's address on loopback, for tests that start it with `socket: true`. */
  url: string;
  /** Sends a request to the app without a socket (`app.request`); takes a path or a full URL. */
  fetch: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  fake: FakeOpenRouter;
  app: App;
  config: Config;
  store: FailureStore;
  /** Every log line the proxy wrote, as text. */
  logs: string[];
  /** A scratch directory for this proxy (cache, filter, database files). */
  dir: string;
  /** Stops the app's background work and closes its daily counter, as a stopping proxy does (the store stays open). */
  close(): void;
  /** A fixed-but-movable clock: tests advance `clock.wallMs` instead of sleeping. */
  clock: Clock & { wallMs: number | undefined };
  server: Server;
}

export interface ProxyOptions {
  env?: Record<string, string | undefined>;
  fake?: FakeOpenRouterOptions;
  /** Reuse an existing fake (for restart tests). */
  useFake?: FakeOpenRouter;
  /** Reuse a scratch dir (for restart tests). */
  dir?: string;
  /** Wait for the catalog before returning (default true). */
  waitForCatalog?: boolean;
  fetch?: typeof fetch;
  /** Turns on MAX_ATTEMPTS, outage handling and waiting (see AppDeps.limits). */
  limits?: AppDeps['limits'];
  /** Also serve the app on a loopback socket (for tests where the socket is the point). Default true. */
  socket?: boolean;
}

/** Starts a fake OpenRouter and a proxy in front of it; both close when the test ends. */
export async function startProxy(t: TestContext, options: ProxyOptions = {}): Promise<Proxy> {
  const fake = options.useFake ?? (await startFakeOpenRouter(options.fake));
  if (options.useFake === undefined) t.after(() => fake.close());
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'proxy-test-'));
  if (options.dir === undefined) t.after(() => rmSync(dir, { recursive: true, force: true }));
  const config = loadConfig({
    OPENROUTER_API_KEY: 'sk-or-v1-test-key-0123456789',
    OPENROUTER_BASE_URL: fake.url,
    FAILURE_DB: ':memory:',
    FREE_MODELS_CACHE: join(dir, 'free-models'),
    MODEL_FILTER_PATH: join(dir, 'filter'),
    MODEL_ALIASES_PATH: join(dir, 'aliases'),
    LOG_LEVEL: 'DEBUG',
    ...options.env,
  });
  const logs: string[] = [];
  const logger = createLogger(config.logLevel, (line) => void logs.push(line));
  const clock = {
    wallMs: undefined as number | undefined,
    wall: () => clock.wallMs ?? Date.now(),
    monotonic: () => performance.now(),
  };
  const { store } = openFailureStore(config.failureDbPath, { now: () => clock.wall() });
  const usageCounter = openUsageCounter(config.failureDbPath, { now: () => clock.wall() });
  const app = createApp({ config, store, logger, clock, usageCounter, ...(options.fetch ? { fetch: options.fetch } : {}), ...(options.limits ? { limits: options.limits } : {}) });
  app.start();
  const close = () => {
    app.close();
    usageCounter.close();
  };
  t.after(() => {
    close();
    store.close();
  });
  // The production server setup (timeouts, JSON errors for broken HTTP), not a bare node:http server.
  const server = options.socket === false ? undefined : await listen(t, createHttpServer(app));
  if (options.waitForCatalog !== false) await app.catalog.ready();
  const url = server === undefined ? 'http://proxy.invalid' : `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // A path is resolved against a local origin by app.request: with no socket, there is no `url` to use.
  const fetch = (input: string | URL | Request, init?: RequestInit) => app.request(input, init);
  return { url, fetch, fake, app, config, store, logs, dir, clock, close, server: server as Server };
}

/** Serves on a loopback port until the test ends. */
async function listen(t: TestContext, server: Server): Promise<Server> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // Registered after the app's: `t.after` runs in reverse, so connections close before the store does.
  t.after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return server;
}

/** POSTs JSON (or raw text) and returns status, headers and the body text. */
export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; text: string; json: () => any }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) };
}

/** Parses an NDJSON body into objects, asserting every line is complete JSON. */
export function ndjson(text: string): any[] {
  if (!text.endsWith('\n')) throw new Error(`NDJSON body does not end with a newline: ${JSON.stringify(text.slice(-80))}`);
  return text.slice(0, -1).split('\n').map((line) => JSON.parse(line));
}

/** Parses an SSE body into its `data:` payloads. */
export function sseData(text: string): string[] {
  return text.split('\n\n').filter((block) => block.startsWith('data: ')).map((block) => block.slice('data: '.length));
}
