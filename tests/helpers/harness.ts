// Shared test setup: a real offline OpenRouter on loopback port 0, and a real proxy in front of it.
// Tests talk to the proxy without a socket (`proxy.fetch`, through `app.request`); a test whose point
// is the socket (timeouts, raw HTTP, disconnects, a separate process) asks for one with `socket: true`.
import assert from 'node:assert/strict';
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

/** The origin a client SDK is given next to `fetch: proxy.fetch`: nothing is dialled, and the Host it implies is local. */
export const APP_ORIGIN = 'http://localhost';

export interface Proxy {
  /** Sends a request to the app without a socket (`app.request`); takes a path or a full URL. A client SDK takes it as its `fetch`. */
  fetch: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  /** True when started with `socket: true`. */
  socket: boolean;
  /** The proxy's address on loopback; throws unless started with `socket: true`. */
  url: string;
  /** The node:http server behind `url`; throws unless started with `socket: true`. */
  server: Server;
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
  /** Also serve the app on a loopback socket (`proxy.url`), for tests where the socket is the point. Default false. */
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
  const server = options.socket === true ? await listen(t, createHttpServer(app)) : undefined;
  if (options.waitForCatalog !== false) await app.catalog.ready();
  const noSocket = (): never => assert.fail('this proxy has no socket: pass `socket: true` to startProxy, or send through proxy.fetch');
  // Taken now: a test may close the server and listen again on the same port.
  const url = server && `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    fetch: (input, init) => app.request(input, init),
    socket: server !== undefined,
    get url() {
      return url ?? noSocket();
    },
    get server() {
      return server ?? noSocket();
    },
    fake, app, config, store, logs, dir, clock, close,
  };
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

/** Where a helper sends a request: a proxy (through `proxy.fetch`, no socket), or the base URL of a real server. */
export type Target = Pick<Proxy, 'fetch'> | string;

/** Sends a request for `path` (`/...`) to a target. */
export function send(target: Target, path: string, init?: RequestInit): Promise<Response> {
  if (typeof target === 'string') return fetch(`${target}${path}`, init);
  // A URL would resolve `//x` or `http://x/` to another host: a raw request target needs a socket.
  if (!path.startsWith('/') || path.startsWith('//')) assert.fail(`${path}: a raw request target needs a socket (\`socket: true\` and call(proxy.url, ...))`);
  return target.fetch(path, init);
}

/** POSTs JSON (or raw text) and returns status, headers and the body text. */
export async function post(target: Target, path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; text: string; json: () => any }> {
  const response = await send(target, path, {
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
