import { HttpError } from '../http/errors.ts';
import type { Logger } from '../logger.ts';
import { UpstreamError } from '../openrouter/upstream-error.ts';
import type { FailureStore } from '../store/failure-store.ts';
import type { Catalog } from './catalog.ts';
import type { CatalogLoader } from './catalog-loader.ts';
import { accountLimitError, applyFailure, routingClassOf } from './failure-policy.ts';
import type { CatalogModel } from './model-info.ts';
import { indexLibraryNames, type LibraryIndex } from './library-names.ts';
import { listedAliasNames, type ModelAliases } from './model-aliases.ts';
import { matchesPatterns, type ModelFilter } from './model-filter.ts';
import { lookupModelName, toRequestedModels, type NameLookup } from './requested-models.ts';
import { tolerateWriteErrors } from './tolerant-store.ts';

export interface RoutingOptions {
  catalog: CatalogLoader;
  filter: ModelFilter;
  /** Client names → models; none when absent. */
  aliases?: ModelAliases;
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
  /** A preference, not a requirement: in free mode, models that can think are tried first. */
  thinking?: boolean;
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
  visibleModels(): readonly CatalogModel[];
  /** Looks a name up among the visible models: an alias's first target, an exact name, or an Ollama-library name. */
  findVisible(name: string): CatalogModel | undefined;
  /** Alias names written without a glob, for model pickers. */
  aliasNames(): string[];
  /** The model filter's patterns in force (empty: no filter). */
  filterPatterns(): readonly string[];
  /** Chooses the models to try for a request, in order. */
  plan(requestedModel: string, needs: RequestNeeds): RoutePlan;
  /**
   * Runs `attempt` on each candidate until one succeeds, recording cooldowns; stops early when no
   * other model could succeed. With `success: 'later'` (a stream that has only started), the caller
   * reports the outcome with recordLateSuccess or recordLateFailure once the answer has ended.
   */
  run<T>(plan: RoutePlan, attempt: (model: CatalogModel) => Promise<T>, signal: AbortSignal, success?: 'now' | 'later'): Promise<RoutedResult<T>>;
  /** Records a failure that happened after the answer had started (no fallback is possible then). */
  recordLateFailure(model: CatalogModel, error: UpstreamError): void;
  /** Records that an answer which had started also finished cleanly, which clears the model's failures. */
  recordLateSuccess(model: CatalogModel): void;
}

/** Builds the routing policy over the catalog, the filter and the failure store. */
export function createRouter(options: RoutingOptions): Router {
  const { logger, now } = options;
  const store = tolerateWriteErrors(options.store, logger);
  const visibility = createVisibility(options);

  function nameLookup(): NameLookup {
    const { catalog, isVisible, library } = visibility.current();
    const findVisible = (name: string) => {
      const model = catalog.find(name);
      return model !== undefined && isVisible(model) ? model : undefined;
    };
    return { rules: options.aliases?.rules() ?? [], findVisible, library };
  }

  function plan(requestedModel: string, needs: RequestNeeds): RoutePlan {
    const { visible } = visibility.current();
    // An alias's first target is the model asked for; its other targets come next, before any fallback.
    const { models: wanted } = toRequestedModels(nameLookup(), requestedModel);
    if (!options.freeMode) {
      if (wanted.length === 0) throw new HttpError(404, `model '${requestedModel}' not found`);
      const serving = wanted.filter((model) => canServe(model, needs));
      if (serving.length === 0) throw new HttpError(400, `model '${requestedModel}' does not support ${describeNeeds(needs)}`);
      const limit = serving.some((model) => model.free) ? accountLimitError(store, now()) : undefined;
      if (limit !== undefined) throw limit;
      return { candidates: serving, fallback: serving.length > 1 };
    }
    const at = now();
    const limit = accountLimitError(store, at);
    if (limit !== undefined) throw limit;
    const candidates: CatalogModel[] = [];
    let capable = 0;
    for (const model of wanted) {
      if (!canServe(model, needs)) continue;
      capable++;
      if (!store.isCoolingDown(model.id, at)) candidates.push(model);
    }
    for (const model of visible) {
      if (wanted.includes(model) || !canServe(model, needs)) continue;
      capable++;
      if (!store.isCoolingDown(model.id, at)) candidates.push(model);
    }
    if (capable === 0) {
      throw new HttpError(400, `no free model ${visible.length === 0 ? 'matches the filter' : `supports ${describeNeeds(needs)}`} (${visible.length} free models visible; see GET /status)`);
    }
    if (candidates.length === 0) throw allCoolingDown(visible.filter((model) => canServe(model, needs)), store, at);
    return { candidates: needs.thinking ? thinkersFirst(candidates, wanted) : candidates, fallback: true };
  }

  async function run<T>(routePlan: RoutePlan, attempt: (model: CatalogModel) => Promise<T>, signal: AbortSignal, success: 'now' | 'later' = 'now'): Promise<RoutedResult<T>> {
    let lastError: { model: CatalogModel; error: UpstreamError } | undefined;
    let attempts = 0;
    for (const model of routePlan.candidates) {
      // Another request may have cooled this model down, or hit the account's limit, since the plan was made.
      if (routePlan.fallback && attempts > 0) {
        const limit = accountLimitError(store, now());
        if (limit !== undefined) throw limit;
        if (store.isCoolingDown(model.id, now())) continue;
      }
      attempts++;
      const started = performance.now();
      try {
        const value = await attempt(model);
        // A stream that has only started may still fail; clearing its record now would stop a
        // model that always breaks mid-answer from ever earning a longer cooldown.
        if (success === 'now') store.recordSuccess(model.id);
        logger.info('attempt', { model: model.id, attempt: attempts, outcome: 'ok', ms: Math.round(performance.now() - started) });
        return { value, model, attempts };
      } catch (error) {
        if (!(error instanceof UpstreamError) || signal.aborted) throw error;
        const outcome = routingClassOf(error);
        logger.info('attempt', { model: model.id, attempt: attempts, outcome, status: error.status, error: error.message, ms: Math.round(performance.now() - started) });
        const stop = applyFailure(store, model, error, options, options.catalog.nextRefreshAt());
        if (stop !== undefined) throw stop;
        if (!routePlan.fallback) throw error;
        // "This model cannot do that" is a poorer explanation than an earlier real failure.
        if (lastError === undefined || outcome !== 'unsupported') lastError = { model, error };
      }
    }
    if (lastError === undefined) throw allCoolingDown(routePlan.candidates, store, now());
    const { model, error } = lastError;
    throw new HttpError(error.status, `all ${attempts} models tried failed; last error (${model.id}): ${error.message}`, { cause: error, headers: error.headers });
  }

  return {
    visibleModels: () => visibility.current().visible,
    findVisible(name) {
      const lookup = nameLookup();
      return toRequestedModels(lookup, name).models[0] ?? lookupModelName(lookup, name);
    },
    aliasNames: () => listedAliasNames(options.aliases?.rules() ?? []),
    filterPatterns: () => options.filter.patterns(),
    plan,
    run,
    recordLateFailure: (model, error) => void applyFailure(store, model, error, options, options.catalog.nextRefreshAt()),
    recordLateSuccess: (model) => store.recordSuccess(model.id),
  };
}

interface Visibility {
  catalog: Catalog;
  visible: readonly CatalogModel[];
  isVisible: (model: CatalogModel) => boolean;
  library: LibraryIndex;
}

/**
 * The visible models, recomputed only when the catalog or the filter's patterns change: a request
 * costs one stat of the filter file and no pass over the whole catalog.
 */
function createVisibility(options: RoutingOptions): { current(): Visibility } {
  let cached: (Visibility & { patterns: readonly string[] }) | undefined;
  return {
    current() {
      const catalog = options.catalog.current();
      if (catalog === undefined) {
        throw new HttpError(503, 'the model catalog is not loaded yet: OpenRouter has not been reached (retrying in the background; see GET /status)', { headers: { 'Retry-After': '5' } });
      }
      const patterns = options.filter.patterns();
      if (cached?.catalog === catalog && cached.patterns === patterns) return cached;
      const visible = catalog.models.filter(
        (model) =>
          (!options.freeMode || model.free) &&
          // Tool use is meaningless for embedding models, so TOOL_USE_ONLY leaves them listed.
          (!options.toolUseOnly || model.capabilities.tools || model.capabilities.embedding) &&
          matchesPatterns(patterns, model),
      );
      const set = new Set(visible);
      cached = { catalog, patterns, visible, isVisible: (model) => set.has(model), library: indexLibraryNames(visible) };
      return cached;
    },
  };
}

// A stable partition: the requested models keep their places, then models that can think, then the rest.
function thinkersFirst(candidates: readonly CatalogModel[], requested: readonly CatalogModel[]): CatalogModel[] {
  const rank = (model: CatalogModel) => (requested.includes(model) ? 0 : model.capabilities.thinking ? 1 : 2);
  return [...candidates].sort((a, b) => rank(a) - rank(b));
}

function canServe(model: CatalogModel, needs: RequestNeeds): boolean {
  const caps = model.capabilities;
  if (needs.kind === 'embedding') return caps.embedding;
  return caps.completion && (!needs.tools || caps.tools) && (!needs.vision || caps.vision);
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
