import { HttpError } from '../http/errors.ts';
import type { Logger } from '../logger.ts';
import { UpstreamError } from '../openrouter/upstream-error.ts';
import type { FailureStore } from '../store/failure-store.ts';
import type { CatalogLoader } from './catalog-loader.ts';
import type { CatalogModel } from './model-info.ts';
import { matchesPatterns, type ModelFilter } from './model-filter.ts';
import { accountLimitError, applyFailure } from './failure-policy.ts';

export interface RoutingOptions {
  catalog: CatalogLoader;
  filter: ModelFilter;
  store: FailureStore;
  freeMode: boolean;
  toolUseOnly: boolean;
  failureCooldownMs: number;
  rateLimitCooldownMs: number;
  now: () => number;
  logger: Logger;
}

/** What a request needs from a model. */
export interface RequestNeeds {
  kind: 'chat' | 'embedding';
  tools: boolean;
  vision: boolean;
}

export interface RoutePlan {
  candidates: CatalogModel[];
  /** Whether a failure may move on to the next candidate (free mode) or is returned as it is. */
  fallback: boolean;
}

export interface RoutedResult<T> {
  value: T;
  model: CatalogModel;
  attempts: number;
}

export interface Router {
  /** Models a client may see and use: the mode, the filter file and TOOL_USE_ONLY applied, in priority order. */
  visibleModels(): CatalogModel[];
  /** Looks a name up among the visible models. */
  findVisible(name: string): CatalogModel | undefined;
  /** Chooses the models to try for a request, in order. */
  plan(requestedModel: string, needs: RequestNeeds): RoutePlan;
  /** Runs `attempt` on each candidate until one succeeds, recording cooldowns; stops early when no other model could succeed. */
  run<T>(plan: RoutePlan, attempt: (model: CatalogModel) => Promise<T>, signal: AbortSignal): Promise<RoutedResult<T>>;
  /** Records a failure that happened after the answer had started (no fallback is possible then). */
  recordLateFailure(model: CatalogModel, error: UpstreamError): void;
}

/** Builds the routing policy over the catalog, the filter and the failure store. */
export function createRouter(options: RoutingOptions): Router {
  const { store, logger, now } = options;

  const loadedCatalog = () => {
    const catalog = options.catalog.current();
    if (catalog === undefined) {
      throw new HttpError(503, 'the model catalog is not loaded yet: OpenRouter has not been reached (retrying in the background; see GET /status)', { headers: { 'Retry-After': '5' } });
    }
    return catalog;
  };

  function visibleModels(): CatalogModel[] {
    const patterns = options.filter.patterns();
    return loadedCatalog().models.filter(
      (model) =>
        (!options.freeMode || model.free) &&
        // Tool use is meaningless for embedding models, so TOOL_USE_ONLY leaves them listed.
        (!options.toolUseOnly || model.capabilities.tools || model.capabilities.embedding) &&
        matchesPatterns(patterns, model),
    );
  }

  function findVisible(name: string): CatalogModel | undefined {
    const model = loadedCatalog().find(name);
    return model !== undefined && visibleModels().includes(model) ? model : undefined;
  }

  function canServe(model: CatalogModel, needs: RequestNeeds): boolean {
    const caps = model.capabilities;
    if (needs.kind === 'embedding') return caps.embedding;
    return caps.completion && (!needs.tools || caps.tools) && (!needs.vision || caps.vision);
  }

  function plan(requestedModel: string, needs: RequestNeeds): RoutePlan {
    const visible = visibleModels();
    const found = loadedCatalog().find(requestedModel);
    const requested = found !== undefined && visible.includes(found) ? found : undefined;
    if (!options.freeMode) {
      if (requested === undefined) throw new HttpError(404, `model '${requestedModel}' not found`);
      if (!canServe(requested, needs)) throw new HttpError(400, `model '${requestedModel}' does not support ${describeNeeds(needs)}`);
      const limit = requested.free ? accountLimitError(store, now()) : undefined;
      if (limit !== undefined) throw limit;
      return { candidates: [requested], fallback: false };
    }
    const limit = accountLimitError(store, now());
    if (limit !== undefined) throw limit;
    const capable = visible.filter((model) => canServe(model, needs));
    if (capable.length === 0) {
      throw new HttpError(400, `no free model ${visible.length === 0 ? 'matches the filter' : `supports ${describeNeeds(needs)}`} (${visible.length} free models visible; see GET /status)`);
    }
    const ordered = requested !== undefined && capable.includes(requested) ? [requested, ...capable.filter((model) => model !== requested)] : capable;
    const at = now();
    const candidates = ordered.filter((model) => !store.isCoolingDown(model.id, at));
    if (candidates.length === 0) throw allCoolingDown(capable, store, at);
    return { candidates, fallback: true };
  }

  async function run<T>(routePlan: RoutePlan, attempt: (model: CatalogModel) => Promise<T>, signal: AbortSignal): Promise<RoutedResult<T>> {
    let lastError: UpstreamError | undefined;
    let attempts = 0;
    for (const model of routePlan.candidates) {
      attempts++;
      const started = performance.now();
      try {
        const value = await attempt(model);
        store.recordSuccess(model.id);
        logger.info('attempt', { model: model.id, attempt: attempts, outcome: 'ok', ms: Math.round(performance.now() - started) });
        return { value, model, attempts };
      } catch (error) {
        if (!(error instanceof UpstreamError) || signal.aborted) throw error;
        logger.info('attempt', { model: model.id, attempt: attempts, outcome: error.failure, status: error.status, error: error.message, ms: Math.round(performance.now() - started) });
        const stop = applyFailure(store, model, error, options, options.catalog.nextRefreshAt());
        if (stop !== undefined) throw stop;
        if (!routePlan.fallback) throw error;
        lastError = error;
      }
    }
    const cause = lastError as UpstreamError;
    throw new HttpError(cause.status, `all ${attempts} models tried failed; last error: ${cause.message}`, { cause });
  }

  return {
    visibleModels,
    findVisible,
    plan,
    run,
    recordLateFailure: (model, error) => void applyFailure(store, model, error, options, options.catalog.nextRefreshAt()),
  };
}

function describeNeeds(needs: RequestNeeds): string {
  if (needs.kind === 'embedding') return 'embeddings';
  const wanted = [needs.tools ? 'tools' : '', needs.vision ? 'image input' : ''].filter((word) => word !== '');
  return wanted.length > 0 ? wanted.join(' and ') : 'chat';
}

function allCoolingDown(models: readonly CatalogModel[], store: FailureStore, now: number): HttpError {
  const soonest = Math.min(...models.map((model) => store.get(model.id)?.cooldownUntil ?? now));
  const seconds = Math.max(1, Math.ceil((soonest - now) / 1000));
  return new HttpError(503, `all ${models.length} free models that can serve this request are cooling down after failures; the first is available again at ${new Date(soonest).toISOString()} (see GET /status)`, {
    headers: { 'Retry-After': String(seconds) },
  });
}
