import type { Catalog } from '../catalog/catalog.ts';
import type { CatalogLoader } from '../catalog/catalog-loader.ts';
import type { CatalogModel } from '../catalog/model-info.ts';
import { matchesPatterns, type ModelFilter } from '../catalog/model-filter.ts';
import { HttpError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { FailureStore } from '../store/failure-store.ts';
import { indexLibraryNames, type LibraryIndex } from '../catalog/library-names.ts';
import { listedAliasNames, type ModelAliases } from '../catalog/model-aliases.ts';
import { lookupModelName, toRequestedModels, type NameLookup } from '../catalog/requested-models.ts';
import type { TokenEstimate } from '../chat/estimate-tokens.ts';
import { canHold, promptTooLarge } from './context-fit.ts';
import { accountLimitError, allCoolingDown } from './failure-policy.ts';
import { blockingAccountLimit, inertResilience, type Resilience } from './resilience.ts';
import { preferOutput, type OutputNeed } from './structured-output.ts';

export interface RoutingOptions {
  catalog: CatalogLoader;
  filter: ModelFilter;
  /** Client names → models; none when absent. */
  aliases?: ModelAliases;
  store: FailureStore;
  freeMode: boolean;
  toolUseOnly: boolean;
  now: () => number;
  logger: Logger;
  /** MAX_ATTEMPTS, outage detection, half-open probes and waiting; without it, none of them (tests of the bare policy). */
  resilience?: Resilience;
}

/** What a request needs from a model. */
export interface RequestNeeds {
  kind: 'chat' | 'embedding';
  tools: boolean;
  vision: boolean;
  /** A preference, not a requirement: in free mode, models that can think are tried first. */
  thinking?: boolean;
  /** The prompt's estimated size: in free mode, a model that clearly cannot hold it is not tried. */
  promptTokens?: TokenEstimate;
  /** Structured output asked for: in free mode it goes to models that honour it, when any does. */
  output?: OutputNeed;
}

export interface RoutePlan {
  candidates: CatalogModel[];
  /** Whether a failure may move on to the next candidate (free mode) or is returned as it is. */
  fallback: boolean;
  /** Set (and `candidates` empty) when every capable model is cooling down: one of them may be probed. */
  cooling?: CatalogModel[];
  /** Every model that could serve a free-mode chat, cooling or not (a rate-limit burst probes among them). */
  capable?: CatalogModel[];
}

export interface ModelRouter {
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
  /** The outage, waiting and probing state, for /status. */
  resilience(): Resilience;
}

/** Builds the routing policy over the catalog, the filter and the failure store. */
export function createModelRouter(options: RoutingOptions): ModelRouter {
  const { logger, now } = options;
  const { store } = options;
  const visibility = createVisibility(options);
  const resilience = options.resilience ?? inertResilience(now, logger);
  const maxWaitMs = resilience.maxWaitMs;
  let saidNoStructuredOutput = false;

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
    // A per-minute cap that lifts within MAX_WAIT_SECONDS does not stop the plan: the attempt loop waits for it.
    const limit = blockingAccountLimit(store, at, maxWaitMs);
    if (limit !== undefined) throw limit;
    const able = [...wanted, ...visible.filter((model) => !wanted.includes(model))].filter((model) => canServe(model, needs));
    if (able.length === 0) {
      throw new HttpError(400, `no free model ${visible.length === 0 ? 'matches the filter' : `supports ${describeNeeds(needs)}`} (${visible.length} free models visible; see GET /status)`);
    }
    const capable = fitFreeModels(able, needs);
    const candidates = capable.filter((model) => !store.isCoolingDown(model.id, at));
    // Only chats take part in a rate-limit burst: embedding models are limited apart from them.
    const burst = needs.kind === 'chat' ? { capable } : {};
    if (candidates.length === 0) {
      // In the catalog's order, so that ties between cooldowns go to the higher priority.
      const cooling = visible.filter((model) => capable.includes(model));
      if (options.resilience === undefined) throw allCoolingDown(cooling, store, at);
      return { candidates: [], fallback: true, cooling, ...burst };
    }
    return { candidates: needs.thinking ? thinkersFirst(candidates, wanted) : candidates, fallback: true, ...burst };
  }

  // The free models that can take this request: those that can hold the prompt (else a 400, with
  // nothing sent upstream), and of those the ones that honour its structured output, when any does.
  function fitFreeModels(able: readonly CatalogModel[], needs: RequestNeeds): CatalogModel[] {
    const holding = able.filter((model) => canHold(model, needs.promptTokens));
    if (holding.length === 0 && needs.promptTokens !== undefined) {
      resilience.savings.save('too_large');
      throw promptTooLarge(needs.promptTokens, able);
    }
    const structured = preferOutput(holding, needs.output);
    if (structured.unmet && !saidNoStructuredOutput) {
      saidNoStructuredOutput = true;
      logger.warn('no visible free model supports structured outputs; JSON-schema requests go to models that may answer in prose', { output: needs.output });
    }
    return [...structured.models];
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
    resilience: () => resilience,
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
