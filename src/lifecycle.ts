import type { Server } from 'node:http';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App } from './app.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createHttpServer } from './http/http-server.ts';
import { UpstreamError } from './errors.ts';
import { createLogger, type Logger } from './logger.ts';
import { openFailureStore, StoreOpenError } from './store/failure-store.ts';
import { openUsageCounter } from './store/usage-counter.ts';

type Env = Record<string, string | undefined>;

/** Starts the proxy (and, with `--demo`, the built-in offline OpenRouter) and runs until a signal. */
export async function runServer(args: readonly string[], env: Env): Promise<void> {
  const demo = args.includes('--demo');
  // Loaded only for the demo: a real run should not pay for the fake's modules at startup.
  const fake = demo ? await (await import('./fake-openrouter/server.ts')).startFakeOpenRouter({ port: 0 }) : undefined;
  const effectiveEnv: Env = fake === undefined ? env : demoEnv(env, fake.url);

  let config: Config;
  try {
    config = loadConfig(effectiveEnv);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`configuration error: ${error.message}\n`);
    await fake?.close();
    process.exit(1);
  }
  const logger = createLogger(config.logLevel);
  for (const warning of config.warnings) logger.warn(warning);

  let opened;
  try {
    opened = openFailureStore(config.failureDbPath, { onWarning: (message) => logger.warn(message) });
  } catch (error) {
    if (!(error instanceof StoreOpenError)) throw error;
    logger.error(error.message);
    await fake?.close();
    process.exit(1);
  }
  for (const warning of opened.warnings) logger.warn(warning);
  const store = opened.store;
  // Today's free-request count shares FAILURE_DB (its own table).
  const usageCounter = openUsageCounter(config.failureDbPath, {
    onWriteError: (error) => logger.warn('cannot save the daily free-request count; counting on in memory', { error }),
    onWarning: (message) => logger.warn(message),
  });

  const shutdown = { stopping: new AbortController(), graceOver: new AbortController() };
  const app = createApp({ config, store, logger, usageCounter, shutdown: { stopping: shutdown.stopping.signal, graceOver: shutdown.graceOver.signal } });
  app.start();
  // Bounds how long a client may take to send a request, never how long an answer may stream.
  const server = createHttpServer(app);

  server.once('error', async (error: NodeJS.ErrnoException) => {
    logger.error(error.code === 'EADDRINUSE'
      ? `port ${config.port} on ${config.host} is already in use (is Ollama itself running?); stop it or set PORT to another port`
      : `cannot listen on ${config.host}:${config.port}: ${error.message}`);
    app.close();
    usageCounter.close();
    store.close();
    await fake?.close();
    process.exit(1);
  });
  server.listen(config.port, config.host, () => {
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : config.port;
    logger.info('listening', {
      url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`,
      upstream: config.baseUrl,
      mode: config.freeMode ? 'free' : 'all',
      recording: config.recordingMode,
      demo,
      proxyAuth: config.proxyApiKey !== undefined,
    });
  });

  handleSignals(server, logger, config.shutdownGraceMs, shutdown, async (deadline) => {
    await flushRecordings(app, logger, deadline);
    app.close();
    usageCounter.close();
    store.close();
    await fake?.close();
    // The demo's catalog cache is a throwaway in the temp dir (see demoEnv): leave nothing behind.
    if (fake !== undefined && env.FREE_MODELS_CACHE === undefined) {
      for (const path of [config.freeModelsCachePath, `${config.freeModelsCachePath}.json`]) rmSync(path, { force: true });
    }
  });
}

function demoEnv(env: Env, fakeUrl: string): Env {
  return {
    ...env,
    OPENROUTER_BASE_URL: fakeUrl,
    OPENROUTER_API_KEY: 'sk-or-v1-offline-demo',
    FAILURE_DB: env.FAILURE_DB ?? ':memory:',
    FREE_MODELS_CACHE: env.FREE_MODELS_CACHE ?? join(tmpdir(), `ollama-openrouter-proxy-demo-${process.pid}`),
  };
}

// Even with SHUTDOWN_GRACE_SECONDS=0, exchanges that have already ended get this long to reach the disk.
const MIN_FLUSH_MS = 1_000;

// Recordings are written once each exchange has ended, after its answer: a rig that stops the proxy
// right after its last answer must still find that answer recorded. Waits until the grace period ends.
async function flushRecordings(app: App, logger: Logger, deadline: number): Promise<void> {
  const unwritten = await app.settleRecordings(Math.max(deadline - performance.now(), MIN_FLUSH_MS));
  if (unwritten > 0) logger.warn('shutdown grace period over: some upstream exchanges were not recorded', { unwritten });
}

// How often a stopping server closes connections that have just become idle. Without it a keep-alive
// connection whose last stream ended stays open until keepAliveTimeout and holds the exit up.
const IDLE_SWEEP_MS = 100;

// How long the error endings have to reach their clients before the last connections are closed.
const LAST_WORDS_MS = 1_000;

/**
 * The grace period is over: every answer still streaming ends with its API's error ending (an
 * Ollama error line, an OpenAI error event, Anthropic's `event: error`, `response.failed`), so a
 * client can tell a cut answer from a whole one; a moment later the connections left are closed.
 */
function endOpenAnswers(server: Server, logger: Logger, graceMs: number, graceOver: AbortController): NodeJS.Timeout {
  logger.warn('shutdown grace period over: ending the open answers with an error, then closing the remaining connections', { graceMs });
  graceOver.abort(new UpstreamError(503, `the proxy is shutting down and could not finish this answer within SHUTDOWN_GRACE_SECONDS (${graceMs / 1000} s); retry`, 'transient'));
  return setTimeout(() => server.closeAllConnections(), LAST_WORDS_MS);
}

// First signal: stop accepting, end the dashboards' endless streams, let answers finish (bounded),
// close the store, exit 0. Second: exit now.
function handleSignals(server: Server, logger: Logger, graceMs: number, shutdown: { stopping: AbortController; graceOver: AbortController }, cleanup: (deadline: number) => Promise<void>): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      logger.warn('second signal: exiting now', { signal });
      process.exit(1);
    }
    stopping = true;
    const deadline = performance.now() + graceMs;
    logger.info('shutting down', { signal, graceMs });
    shutdown.stopping.abort();
    const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
    let lastCall: NodeJS.Timeout | undefined;
    const force = setTimeout(() => (lastCall = endOpenAnswers(server, logger, graceMs, shutdown.graceOver)), graceMs);
    server.close(async () => {
      clearInterval(sweep);
      clearTimeout(force);
      clearTimeout(lastCall);
      await cleanup(deadline);
      logger.info('stopped');
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
