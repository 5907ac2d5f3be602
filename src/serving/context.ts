import type { CatalogLoader } from '../catalog/catalog-loader.ts';
import type { CatalogModel } from '../catalog/model-info.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { ChatCore } from '../core/routed-chat.ts';
import type { Logger } from '../logger.ts';
import type { RecordingStatus } from '../recording/upstream-fetch.ts';
import type { ModelRouter } from '../routing/model-router.ts';
import type { FailureStore } from '../store/failure-store.ts';
import type { RequestLog } from '../status/request-log.ts';
import type { RecentModels } from '../store/recent-models.ts';

/** The process stopping, as the handlers see it (lifecycle.ts aborts these). */
export interface Shutdown {
  /** The first signal arrived: endless streams (the dashboard's) end now, so they do not hold the exit up. */
  stopping: AbortSignal;
  /** SHUTDOWN_GRACE_SECONDS is over: answers still streaming end with the API's error ending. */
  graceOver: AbortSignal;
}

/** What every handler may use; built once by createApp. */
export interface HandlerContext {
  config: Config;
  core: ChatCore;
  catalog: CatalogLoader;
  router: ModelRouter;
  store: FailureStore;
  logger: Logger;
  clock: Clock;
  recent: RecentModels;
  /** Recent requests for the dashboard: bounded, in memory. */
  requests: RequestLog;
  /** Recording and replaying: the mode and this run's counts (GET /status). */
  recording: () => RecordingStatus;
  /** Absent in tests that never stop the process. */
  shutdown?: Shutdown;
  /** Logs a WARN the first time `key` is seen in this app's life, and never again (for at most 100 keys: see logger.ts). */
  warnOnce(key: string, message: string, fields?: Record<string, unknown>): void;
  /** Each client API's name → what the dashboard calls it. */
  apiLabels: Readonly<Record<string, string>>;
}

/** Response headers naming the model that answered and how many were tried. */
export function routingHeaders(model: CatalogModel, attempts: number): Record<string, string> {
  return { 'X-Proxy-Model': model.id, 'X-Proxy-Attempts': String(attempts) };
}
