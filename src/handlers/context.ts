import type { CatalogLoader } from '../catalog/catalog-loader.ts';
import type { CatalogModel } from '../catalog/model-info.ts';
import type { Router } from '../catalog/routing.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { OpenRouterClient } from '../openrouter/client.ts';
import type { FailureStore } from '../store/failure-store.ts';
import type { StreamClock } from '../streams/ollama-lines.ts';
import type { RecentModels } from './recent-models.ts';

/** What every handler may use; built once by createApp. */
export interface HandlerContext {
  config: Config;
  client: OpenRouterClient;
  catalog: CatalogLoader;
  router: Router;
  store: FailureStore;
  logger: Logger;
  clock: StreamClock;
  recent: RecentModels;
}

/** Response headers naming the model that answered and how many were tried. */
export function routingHeaders(model: CatalogModel, attempts: number): Record<string, string> {
  return { 'X-Proxy-Model': model.id, 'X-Proxy-Attempts': String(attempts) };
}
