import { createCatalogLoader, type CatalogLoader } from './catalog/catalog-loader.ts';
import { createModelAliases } from './catalog/model-aliases.ts';
import { createModelFilter } from './catalog/model-filter.ts';
import { systemClock, type Clock } from './clock.ts';
import type { Config } from './config.ts';
import { attemptLogListener } from './core/attempt-log.ts';
import { createChatCore } from './core/routed-chat.ts';
import { CLIENT_APIS } from './dialects/client-apis.ts';
import type { ErrorReply, HttpError } from './errors.ts';
import { dashboardRoutes } from './handlers/dashboard.ts';
import { handleStatus } from './handlers/status.ts';
import { readWebBody } from './http/body.ts';
import { createHandle, type AppRequest } from './http/handle.ts';
import type { SocketSettings } from './http/http-server.ts';
import { isLoopbackAddress } from './http/guards.ts';
import { createUrlRouter, type Reply, type Route } from './http/url-router.ts';
import { answerWebRequest } from './http/web-adapter.ts';
import { createWarnOnce, type Logger } from './logger.ts';
import { createOpenRouterClient } from './openrouter/client.ts';
import { createKeyPoller, type KeyPoller } from './openrouter/key-poller.ts';
import type { ExchangeContext } from './recording/exchange-context.ts';
import { upstreamFetch } from './recording/upstream-fetch.ts';
import { createOutcomeBus, type OutcomeBus } from './routing/attempt-outcome.ts';
import { createCooldownListener } from './routing/cooldown-listener.ts';
import { createDailyUsage, dailyUsageListener } from './routing/daily-usage.ts';
import { createModelRouter, type ModelRouter } from './routing/model-router.ts';
import { outageListener } from './routing/outage-detector.ts';
import { burstListener } from './routing/burst.ts';
import { createResilience, type Resilience } from './routing/resilience.ts';
import type { Timers } from './routing/wait-queue.ts';
import { apiLabels, apiRoutes, errorReplier, type ClientApi } from './serving/client-api.ts';
import type { HandlerContext, Shutdown } from './serving/context.ts';
import { createRequestLog, type RequestLog } from './status/request-log.ts';
import { requestLogListener } from './status/request-log-listener.ts';
import type { FailureStore } from './store/failure-store.ts';
import { createRecentModels } from './store/recent-models.ts';
import { tolerateWriteErrors } from './store/tolerant-store.ts';
import type { UsageCounter } from './store/usage-counter.ts';

export interface AppDeps {
  config: Config;
  store: FailureStore;
  logger: Logger;
  fetch?: typeof fetch;
  clock?: Clock;
  /** Today's free-request count, persisted (lifecycle opens it in FAILURE_DB); without it, none is kept. */
  usageCounter?: UsageCounter;
  /** Aborted by lifecycle.ts as the process stops (see Shutdown). */
  shutdown?: Shutdown;
  /** The client APIs to serve (default: all of dialects/client-apis.ts). */
  apis?: readonly ClientApi[];
  /** Overrides of MAX_ATTEMPTS and MAX_WAIT_SECONDS, and the wait queue's timers (tests). */
  limits?: { maxAttempts?: number; maxWaitMs?: number; timers?: Timers };
}

export interface App {
  /** Routes and answers one request, errors included in the shape of its API: no socket needed. */
  handle(request: AppRequest): Promise<Reply>;
  /** The same with web-standard objects: a client SDK can take it as its `fetch`. */
  request(input: string | URL | Request, init?: RequestInit): Promise<Response>;
  /** Spells an error in the API of a path (for requests node itself gives up on). */
  errorReply(path: string, error: HttpError, headers?: Record<string, unknown>): ErrorReply;
  /** What serving it on a socket needs (http/http-server.ts): the request log line's logger, and MAX_BODY_MB. */
  socket: SocketSettings;
  catalog: CatalogLoader;
  router: ModelRouter;
  /** The dashboard's log of recent requests. */
  requests: RequestLog;
  /** The attempt outcomes, for anything else that wants to watch them. */
  outcomes: OutcomeBus;
  /** Waits (at most `ms`) until every recording begun is on disk; resolves with how many are not. */
  settleRecordings(ms: number): Promise<number>;
  /** Starts the background work (the catalog from cache then OpenRouter, the hourly key check); createApp does no I/O. */
  start(): void;
  /** Stops it. The store and the usage counter belong to the caller. */
  close(): void;
}

/** Builds the whole proxy from its dependencies; nothing here reads the environment, keeps global state or does I/O. */
export function createApp(deps: AppDeps): App {
  const { config, store, logger } = deps;
  const clock = deps.clock ?? systemClock;
  const apis = deps.apis ?? CLIENT_APIS;
  // Reading the global `fetch` loads undici (~20 ms); defer that to the first upstream call.
  const upstream = upstreamFetch(deps.fetch ?? ((input, init) => fetch(input, init)), config, logger, clock.wall);
  const client = createOpenRouterClient({
    baseUrl: config.baseUrl,
    apiKey: config.apiKey,
    fetch: upstream.fetch,
    firstTokenTimeoutMs: config.firstTokenTimeoutMs,
    streamIdleTimeoutMs: config.streamIdleTimeoutMs,
    requestTimeoutMs: config.requestTimeoutMs,
    now: clock.wall,
    monotonic: clock.monotonic,
  });
  const catalog = createCatalogLoader({ client, cachePath: config.freeModelsCachePath, useCache: config.recordingMode === 'off', ttlMs: config.cacheTtlMs, now: clock.wall, logger });
  const keyPoller = createKeyPoller({ client, logger, now: clock.wall });
  const resilience = resilienceFor(deps, keyPoller, clock, upstream.context);
  const router = createModelRouter({
    resilience,
    catalog,
    filter: createModelFilter(config.modelFilterPath, logger),
    aliases: createModelAliases(config.modelAliasesPath, logger),
    store,
    freeMode: config.freeMode,
    toolUseOnly: config.toolUseOnly,
    now: clock.wall,
    logger,
  });
  const requests = createRequestLog({ now: clock.wall, monotonic: clock.monotonic });
  const outcomes = outcomeBus(deps, resilience, catalog, requests);
  const core = createChatCore({ router, client, clock, bus: outcomes, walk: { store, resilience, logger }, exchanges: upstream.context });
  const context: HandlerContext = {
    config, core, catalog, router, store, logger, clock, recent: createRecentModels(clock.wall), requests, recording: upstream.status, warnOnce: createWarnOnce(logger), apiLabels: apiLabels(apis),
    ...(deps.shutdown ? { shutdown: deps.shutdown } : {}),
  };
  const errorReply = errorReplier(apis);
  const handle = createHandle({
    route: createUrlRouter(routes(context, apis)),
    logger,
    proxyApiKey: config.proxyApiKey,
    corsOrigins: config.corsOrigins,
    checkHost: isLoopbackAddress(config.host),
    errorReply,
  });
  return {
    handle,
    async request(input, init) {
      const request = new Request(input instanceof Request ? input : new URL(input, 'http://localhost'), init);
      return answerWebRequest(request, handle, (body) => readWebBody(body.body, body.headers.get('content-length') ?? undefined, config.maxBodyBytes));
    },
    errorReply,
    socket: { logger, maxBodyBytes: config.maxBodyBytes },
    catalog,
    router,
    requests,
    outcomes,
    settleRecordings: upstream.settle,
    start() {
      catalog.start?.();
      void keyPoller.start();
    },
    close() {
      catalog.close();
      keyPoller.stop();
    },
  };
}

// The proxy's own routes (its status and dashboard), then every client API's.
function routes(context: HandlerContext, apis: readonly ClientApi[]): Route[] {
  return [
    { methods: ['GET', 'HEAD'], path: '/status', handler: () => handleStatus(context) },
    ...dashboardRoutes(context),
    ...apiRoutes(apis, context),
  ];
}

// Everything that learns how attempts went subscribes here, in this order: the outage verdict first,
// since the cooldown policy reads it.
function outcomeBus(deps: AppDeps, resilience: Resilience, catalog: CatalogLoader, requests: RequestLog): OutcomeBus {
  const { config, logger } = deps;
  const bus = createOutcomeBus((error) => logger.error('an outcome listener failed', { error }));
  bus.subscribe(outageListener(resilience.outage));
  bus.subscribe(burstListener(resilience.burst));
  bus.subscribe(createCooldownListener({
    store: tolerateWriteErrors(deps.store, logger),
    settings: { failureCooldownMs: config.failureCooldownMs, rateLimitCooldownMs: config.rateLimitCooldownMs, now: (deps.clock ?? systemClock).wall },
    nextRefreshAt: () => catalog.nextRefreshAt(),
    outage: resilience.outage,
  }));
  if (resilience.usage !== undefined) bus.subscribe(dailyUsageListener(resilience.usage));
  bus.subscribe(requestLogListener(requests));
  bus.subscribe(attemptLogListener(logger));
  return bus;
}

// MAX_ATTEMPTS, outages, probes and waiting, and the daily free-request count (limit from GET /key).
function resilienceFor(deps: AppDeps, keyPoller: KeyPoller, clock: Clock, exchanges: ExchangeContext): Resilience {
  const { config, logger, usageCounter } = deps;
  const daily = usageCounter === undefined ? undefined : createDailyUsage({ counter: usageCounter, dailyLimit: keyPoller.dailyLimit, now: clock.wall, logger });
  // A replayed answer spends nothing: a request counts once it is really sent upstream.
  const usage = daily === undefined ? undefined : { ...daily, recordFreeRequest: () => exchanges.countIfSent(daily.recordFreeRequest) };
  return createResilience({ now: clock.wall, logger, usage, maxAttempts: config.maxAttempts, maxWaitMs: config.maxWaitMs, ...deps.limits });
}
