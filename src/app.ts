import type { IncomingMessage, ServerResponse } from 'node:http';
import { createCatalogLoader, type CatalogLoader } from './catalog/catalog-loader.ts';
import { createModelAliases } from './catalog/model-aliases.ts';
import { createModelFilter } from './catalog/model-filter.ts';
import { createRouter as createModelRouter, type Router } from './catalog/routing.ts';
import type { Config } from './config.ts';
import type { HandlerContext } from './handlers/context.ts';
import { handleOllamaEmbed, handleOllamaEmbeddings, handleOpenAIEmbeddings } from './handlers/embeddings.ts';
import { handleRoot, handleStatus, handleVersion } from './handlers/meta.ts';
import { handleOllamaChat, handleOllamaGenerate } from './handlers/ollama-chat.ts';
import { handlePs, handlePull, handleShow, handleTags, handleUnmanaged } from './handlers/ollama-models.ts';
import { handleOpenAIChat, handleOpenAICompletions, handleOpenAIModel, handleOpenAIModels } from './handlers/openai.ts';
import { createRecentModels } from './handlers/recent-models.ts';
import { isLoopbackAddress } from './http/guards.ts';
import { createRequestListener } from './http/node-adapter.ts';
import { createRouter, type Route } from './http/router.ts';
import type { Logger } from './logger.ts';
import { createOpenRouterClient } from './openrouter/client.ts';
import type { FailureStore } from './store/failure-store.ts';
import type { StreamClock } from './streams/ollama-lines.ts';

export interface AppDeps {
  config: Config;
  store: FailureStore;
  logger: Logger;
  fetch?: typeof fetch;
  clock?: StreamClock;
}

export interface App {
  listener: (req: IncomingMessage, res: ServerResponse) => void;
  catalog: CatalogLoader;
  router: Router;
  /** Stops background work (catalog refresh timers). The store belongs to the caller. */
  close(): void;
}

const systemClock: StreamClock = { monotonic: () => performance.now(), wall: () => Date.now() };

/** Builds the whole proxy from its dependencies; nothing here reads the environment or keeps global state. */
export function createApp(deps: AppDeps): App {
  const { config, store, logger } = deps;
  const clock = deps.clock ?? systemClock;
  const client = createOpenRouterClient({
    baseUrl: config.baseUrl,
    apiKey: config.apiKey,
    // Reading the global `fetch` loads undici (~20 ms); defer that to the first upstream call.
    fetch: deps.fetch ?? ((input, init) => fetch(input, init)),
    firstTokenTimeoutMs: config.firstTokenTimeoutMs,
    streamIdleTimeoutMs: config.streamIdleTimeoutMs,
    requestTimeoutMs: config.requestTimeoutMs,
    now: clock.wall,
    monotonic: clock.monotonic,
  });
  const catalog = createCatalogLoader({ client, cachePath: config.freeModelsCachePath, ttlMs: config.cacheTtlMs, now: clock.wall, logger });
  const router = createModelRouter({
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
  const context: HandlerContext = { config, client, catalog, router, store, logger, clock, recent: createRecentModels(clock.wall) };
  const listener = createRequestListener({
    route: createRouter(routes(context)),
    logger,
    maxBodyBytes: config.maxBodyBytes,
    proxyApiKey: config.proxyApiKey,
    corsOrigins: config.corsOrigins,
    checkHost: isLoopbackAddress(config.host),
  });
  return { listener, catalog, router, close: () => catalog.close() };
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
    { methods: GET, path: '/v1/models', handler: () => handleOpenAIModels(context) },
    { methods: GET, path: '/v1/models/:id*', handler: (request) => handleOpenAIModel(context, request) },
    { methods: POST, path: '/v1/chat/completions', handler: (request) => handleOpenAIChat(context, request) },
    { methods: POST, path: '/v1/completions', handler: (request) => handleOpenAICompletions(context, request) },
    { methods: POST, path: '/v1/embeddings', handler: (request) => handleOpenAIEmbeddings(context, request) },
  ];
}
