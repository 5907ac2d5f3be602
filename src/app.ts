import type { IncomingMessage, ServerResponse } from 'node:http';
import { createCatalogLoader, type CatalogLoader } from './catalog/catalog-loader.ts';
import { createModelAliases } from './catalog/model-aliases.ts';
import { createModelFilter } from './catalog/model-filter.ts';
import { systemClock, type Clock } from './clock.ts';
import type { Config } from './config.ts';
import { createChatCore } from './core/routed-chat.ts';
import { errorReplyForPath } from './dialects/error-replies.ts';
import type { HandlerContext, Shutdown } from './handlers/context.ts';
import { dashboardRoutes } from './handlers/dashboard.ts';
import { handleAnthropicCountTokens, handleAnthropicMessages, handleAnthropicModel, handleAnthropicModels, isAnthropicClient } from './handlers/anthropic.ts';
import { handleOllamaEmbed, handleOllamaEmbeddings, handleOpenAIEmbeddings } from './handlers/embeddings.ts';
import { handleRoot, handleStatus, handleVersion } from './handlers/meta.ts';
import { handlePs, handlePull, handleShow, handleTags, handleUnmanaged } from './handlers/models.ts';
import { handleOllamaChat, handleOllamaGenerate } from './handlers/ollama.ts';
import { handleOpenAIChat, handleOpenAICompletions, handleOpenAIModel, handleOpenAIModels } from './handlers/openai.ts';
import { handleResponses } from './handlers/responses.ts';
import type { ErrorReplier } from './http/errors.ts';
import { isLoopbackAddress } from './http/guards.ts';
import { createRequestListener } from './http/node-adapter.ts';
import { createUrlRouter, type Route } from './http/url-router.ts';
import { createWarnOnce, type Logger } from './logger.ts';
import { createOpenRouterClient } from './openrouter/client.ts';
import { upstreamFetch } from './recording/upstream-fetch.ts';
import { createModelRouter, type ModelRouter } from './routing/model-router.ts';
import { createRequestLog, type RequestLog } from './status/request-log.ts';
import { createDailyUsage } from './routing/daily-usage.ts';
import { createResilience } from './routing/resilience.ts';
import type { Timers } from './routing/wait-queue.ts';
import { createKeyPoller } from './openrouter/key-poller.ts';
import type { OpenRouterClient } from './openrouter/client.ts';
import type { FailureStore } from './store/failure-store.ts';
import { openUsageCounter } from './store/usage-counter.ts';
import { createRecentModels } from './store/recent-models.ts';

export interface AppDeps {
  config: Config;
  store: FailureStore;
  logger: Logger;
  fetch?: typeof fetch;
  clock?: Clock;
  /** Aborted by lifecycle.ts as the process stops (see Shutdown). */
  shutdown?: Shutdown;
  /** Overrides of MAX_ATTEMPTS and MAX_WAIT_SECONDS, and the wait queue's timers (tests). */
  limits?: { maxAttempts?: number; maxWaitMs?: number; timers?: Timers };
}

export interface App {
  listener: (req: IncomingMessage, res: ServerResponse) => void;
  /** Spells an error in the API of a path (for requests node itself gives up on). */
  errorReply: ErrorReplier;
  catalog: CatalogLoader;
  router: ModelRouter;
  /** The dashboard's log of recent requests. */
  requests: RequestLog;
  /** Stops background work (catalog refresh timers). The store belongs to the caller. */
  close(): void;
}

/** Builds the whole proxy from its dependencies; nothing here reads the environment or keeps global state. */
export function createApp(deps: AppDeps): App {
  const { config, store, logger } = deps;
  const clock = deps.clock ?? systemClock;
  const client = createOpenRouterClient({
    baseUrl: config.baseUrl,
    apiKey: config.apiKey,
    // Reading the global `fetch` loads undici (~20 ms); defer that to the first upstream call.
    fetch: upstreamFetch(deps.fetch ?? ((input, init) => fetch(input, init)), config, logger),
    firstTokenTimeoutMs: config.firstTokenTimeoutMs,
    streamIdleTimeoutMs: config.streamIdleTimeoutMs,
    requestTimeoutMs: config.requestTimeoutMs,
    now: clock.wall,
    monotonic: clock.monotonic,
  });
  const catalog = createCatalogLoader({ client, cachePath: config.freeModelsCachePath, useCache: config.recordDir === undefined && config.replayDir === undefined, ttlMs: config.cacheTtlMs, now: clock.wall, logger });
  const resilience = resilienceFor(deps, client, clock);
  const router = createModelRouter({
    resilience: resilience.resilience,
    catalog,
    filter: createModelFilter(config.modelFilterPath, logger),
    aliases: createModelAliases(config.modelAliasesPath, logger),
    store,
    freeMode: config.freeMode,
    toolUseOnly: config.toolUseOnly,
    failureCooldownMs: config.failureCooldownMs,
    rateLimitCooldownMs: config.rateLimitCooldownMs,
    now: clock.wall,
    logger,
  });
  const requests = createRequestLog({ now: clock.wall, monotonic: clock.monotonic });
  const core = createChatCore({ router, client, clock, requests });
  const warnOnce = createWarnOnce(logger);
  const context: HandlerContext = { config, core, catalog, router, store, logger, clock, recent: createRecentModels(clock.wall), requests, warnOnce, ...(deps.shutdown ? { shutdown: deps.shutdown } : {}) };
  const listener = createRequestListener({
    route: createUrlRouter(routes(context)),
    logger,
    maxBodyBytes: config.maxBodyBytes,
    proxyApiKey: config.proxyApiKey,
    corsOrigins: config.corsOrigins,
    checkHost: isLoopbackAddress(config.host),
    errorReply: errorReplyForPath,
  });
  return { listener, errorReply: errorReplyForPath, catalog, router, requests, close() {
      catalog.close();
      resilience.close();
    },
  };
}

function routes(context: HandlerContext): Route[] {
  const GET = ['GET', 'HEAD'];
  const POST = ['POST'];
  const unmanaged = (request: Parameters<typeof handleUnmanaged>[0]) => handleUnmanaged(request);
  return [
    { methods: GET, path: '/', handler: handleRoot },
    { methods: GET, path: '/api/version', handler: handleVersion },
    { methods: GET, path: '/status', handler: () => handleStatus(context) },
    { methods: GET, path: '/api/tags', handler: () => handleTags(context) },
    { methods: GET, path: '/api/ps', handler: () => handlePs(context) },
    { methods: POST, path: '/api/show', handler: (request) => handleShow(context, request) },
    { methods: POST, path: '/api/chat', handler: (request) => handleOllamaChat(context, request) },
    { methods: POST, path: '/api/generate', handler: (request) => handleOllamaGenerate(context, request) },
    { methods: POST, path: '/api/embed', handler: (request) => handleOllamaEmbed(context, request) },
    { methods: POST, path: '/api/embeddings', handler: (request) => handleOllamaEmbeddings(context, request) },
    { methods: POST, path: '/api/pull', handler: (request) => handlePull(context, request) },
    { methods: POST, path: '/api/push', handler: unmanaged },
    { methods: POST, path: '/api/create', handler: unmanaged },
    { methods: POST, path: '/api/copy', handler: unmanaged },
    { methods: ['DELETE'], path: '/api/delete', handler: unmanaged },
    // A blob upload may be gigabytes of GGUF: never read it, just say no.
    { methods: ['HEAD', 'POST'], path: '/api/blobs/:digest', handler: unmanaged, body: 'ignore' },
    // Both APIs list models at /v1/models; Anthropic clients say who they are with `anthropic-version`.
    { methods: GET, path: '/v1/models', handler: (request) => (isAnthropicClient(request) ? handleAnthropicModels(context, request) : handleOpenAIModels(context)) },
    { methods: GET, path: '/v1/models/:id*', handler: (request) => (isAnthropicClient(request) ? handleAnthropicModel(context, request) : handleOpenAIModel(context, request)) },
    { methods: POST, path: '/v1/messages', handler: (request) => handleAnthropicMessages(context, request) },
    { methods: POST, path: '/v1/messages/count_tokens', handler: handleAnthropicCountTokens },
    { methods: POST, path: '/v1/chat/completions', handler: (request) => handleOpenAIChat(context, request) },
    { methods: POST, path: '/v1/completions', handler: (request) => handleOpenAICompletions(context, request) },
    { methods: POST, path: '/v1/embeddings', handler: (request) => handleOpenAIEmbeddings(context, request) },
    ...dashboardRoutes(context),
    { methods: POST, path: '/v1/responses', handler: (request) => handleResponses(context, request) },
  ];
}

// MAX_ATTEMPTS, outages, probes and waiting, and the daily free-request count: the counter shares
// FAILURE_DB (its own table); /key is read now and hourly for the daily limit.
function resilienceFor(deps: AppDeps, client: OpenRouterClient, clock: Clock) {
  const { config, logger } = deps;
  const counter = openUsageCounter(config.failureDbPath, {
    now: clock.wall,
    onWriteError: (error) => logger.warn('cannot save the daily free-request count; counting on in memory', { error }),
    onWarning: (message) => logger.warn(message),
  });
  const keyPoller = createKeyPoller({ client, logger, now: clock.wall });
  void keyPoller.start();
  const usage = createDailyUsage({ counter, dailyLimit: keyPoller.dailyLimit, now: clock.wall, logger });
  return {
    resilience: createResilience({ now: clock.wall, logger, usage, maxAttempts: config.maxAttempts, maxWaitMs: config.maxWaitMs, ...deps.limits }),
    close() {
      keyPoller.stop();
      counter.close();
    },
  };
}
