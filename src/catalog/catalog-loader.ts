import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import type { Logger } from '../logger.ts';
import type { OpenRouterClient } from '../openrouter/client.ts';
import type { OpenRouterModel } from '../openrouter/types.ts';
import { buildCatalog, type Catalog } from './catalog.ts';
import { isFreeModel } from './model-info.ts';

export interface CatalogLoaderOptions {
  client: Pick<OpenRouterClient, 'listModels'>;
  /** The original proxy's cache: one free model id per line. The full metadata lives beside it in `<path>.json`. */
  cachePath: string;
  /** False while recording or replaying: `/models` is always fetched (so it is in the set) and the live cache is left alone. */
  useCache?: boolean;
  ttlMs: number;
  now: () => number;
  logger: Logger;
}

export interface CatalogLoader {
  /**
   * The catalog in force, or undefined while none has ever been loaded. Also starts a background
   * refresh when one is overdue: timers run late after a machine sleeps, and tests move the clock.
   */
  current(): Catalog | undefined;
  /** Resolves once a catalog exists (from cache or network). */
  ready(): Promise<Catalog>;
  /** When the catalog in force is due to be replaced (epoch ms). */
  nextRefreshAt(): number;
  /** Why the last fetch failed, or undefined when it succeeded (or none finished yet). Optional so simple stand-ins (bench/) need not provide it. */
  lastError?(): string | undefined;
  /** Fetches now, or joins the fetch in flight; keeps the old catalog on failure. */
  refresh(): Promise<boolean>;
  /** Loads the cache, if fresh, and starts fetching and refreshing: the loader does no I/O before this. Optional so simple stand-ins need not provide it. */
  start?(): void;
  close(): void;
}

const RETRY_MIN_MS = 2_000;
const RETRY_MAX_MS = 5 * 60_000;
// CACHE_TTL_HOURS=0 means "always fetch at startup", not "fetch in a loop".
const MIN_REFRESH_INTERVAL_MS = 60_000;

/** Builds a loader that, once started, loads the catalog from cache without waiting for the network, then keeps it fresh in the background. */
export function createCatalogLoader(options: CatalogLoaderOptions): CatalogLoader {
  const { logger, now } = options;
  const refreshEveryMs = Math.max(options.ttlMs, MIN_REFRESH_INTERVAL_MS);
  let catalog: Catalog | undefined;
  let timer: NodeJS.Timeout | undefined;
  let dueAt = Number.POSITIVE_INFINITY;
  let retryDelay = RETRY_MIN_MS;
  let lastError: string | undefined;
  let closed = false;
  let inFlight: Promise<boolean> | undefined;
  let markReady: (catalog: Catalog) => void = () => {};
  const readyPromise = new Promise<Catalog>((resolve) => (markReady = resolve));

  // Both the timer and the wall-clock check in current() lead to refresh(); whichever comes first wins.
  const schedule = (at: number): void => {
    clearTimeout(timer);
    if (closed) return;
    dueAt = at;
    timer = setTimeout(() => void refresh(), Math.max(0, Math.min(at - now(), 2 ** 31 - 1)));
    timer.unref();
  };

  const use = (next: Catalog): void => {
    catalog = next;
    markReady(next);
  };

  async function fetchOnce(): Promise<boolean> {
    try {
      const models = await options.client.listModels();
      // An empty list is an OpenRouter hiccup, not the end of all models: keep what we have.
      if (models.length === 0) throw new Error('OpenRouter /models returned an empty list');
      const fetchedAt = now();
      const next = buildCatalog(models, fetchedAt, 'network');
      use(next);
      const freeIdsByPriority = next.models.filter((model) => model.free).map((model) => model.id);
      if (options.useCache !== false) writeCache(options.cachePath, freeIdsByPriority, models, fetchedAt, logger);
      logger.info('catalog fetched', { models: models.length, free: models.filter(isFreeModel).length });
      lastError = undefined;
      retryDelay = RETRY_MIN_MS;
      schedule(fetchedAt + refreshEveryMs);
      return true;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
      logger.warn('catalog fetch failed', { error, retryInMs: retryDelay, using: catalog ? `the ${catalog.source} catalog` : 'nothing yet (requests get 503)' });
      schedule(now() + retryDelay);
      retryDelay = Math.min(retryDelay * 2, RETRY_MAX_MS);
      return false;
    }
  }

  function refresh(): Promise<boolean> {
    if (closed) return Promise.resolve(false);
    inFlight ??= fetchOnce().finally(() => (inFlight = undefined));
    return inFlight;
  }

  function start(): void {
    const cached = options.useCache === false ? undefined : readCache(options.cachePath, logger);
    if (cached === undefined) return void refresh();
    use(buildCatalog(cached.models, cached.fetchedAt, 'cache'));
    // A cache written by a clock ahead of ours counts as brand new, not as fresher than that.
    const age = Math.max(0, now() - cached.fetchedAt);
    if (age < options.ttlMs) {
      logger.info('catalog loaded from cache', { models: cached.models.length, ageMinutes: Math.round(age / 60_000) });
      schedule(now() + Math.max(options.ttlMs - age, MIN_REFRESH_INTERVAL_MS));
    } else {
      logger.warn('catalog cache is stale; using it while refreshing in the background', { models: cached.models.length, ageMinutes: Math.round(age / 60_000) });
      void refresh();
    }
  }

  return {
    start,
    current() {
      if (inFlight === undefined && now() >= dueAt) void refresh();
      return catalog;
    },
    ready: () => readyPromise,
    nextRefreshAt: () => (catalog ? catalog.fetchedAt + refreshEveryMs : now()),
    lastError: () => lastError,
    refresh,
    close: () => {
      closed = true;
      dueAt = Number.POSITIVE_INFINITY;
      clearTimeout(timer);
    },
  };
}

interface CacheContents {
  fetchedAt: number;
  models: OpenRouterModel[];
}

function readCache(path: string, logger: Logger): CacheContents | undefined {
  const metadataPath = `${path}.json`;
  try {
    const parsed = JSON.parse(readFileSync(metadataPath, 'utf8')) as Partial<CacheContents>;
    if (typeof parsed.fetchedAt !== 'number' || !Array.isArray(parsed.models) || !parsed.models.every((m) => typeof m?.id === 'string')) {
      throw new Error('unexpected contents');
    }
    return { fetchedAt: parsed.fetchedAt, models: parsed.models };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') logger.warn('ignoring unreadable catalog cache', { path: metadataPath, error });
  }
  // The original proxy's cache holds ids only: usable, with capabilities unknown until the next fetch.
  try {
    const ids = readFileSync(path, 'utf8').split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
    if (ids.length === 0 || !ids.every((id) => /^[\w.~-]+\/[\w.:~-]+$/.test(id))) throw new Error('not a list of model ids');
    const fetchedAt = statSync(path).mtimeMs;
    const models = ids.map((id) => ({ id, pricing: { prompt: '0', completion: '0' }, supported_parameters: ['tools'] }));
    return { fetchedAt, models };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') logger.warn('ignoring unreadable catalog cache', { path, error });
    return undefined;
  }
}

function writeCache(path: string, freeIds: readonly string[], models: readonly OpenRouterModel[], fetchedAt: number, logger: Logger): void {
  try {
    writeAtomically(path, freeIds.length > 0 ? `${freeIds.join('\n')}\n` : '');
    writeAtomically(`${path}.json`, JSON.stringify({ fetchedAt, models }));
  } catch (error) {
    logger.warn('cannot write catalog cache', { path, error });
  }
}

// Two proxies may share a cache: write to a temporary file and rename, so a reader never sees half a file.
function writeAtomically(path: string, contents: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, path);
}
