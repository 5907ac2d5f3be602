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
  ttlMs: number;
  now: () => number;
  logger: Logger;
}

export interface CatalogLoader {
  /** The catalog in force, or undefined while none has ever been loaded. */
  current(): Catalog | undefined;
  /** Resolves once a catalog exists (from cache or network). */
  ready(): Promise<Catalog>;
  /** When the next background refresh is due (epoch ms). */
  nextRefreshAt(): number;
  /** Fetches now; keeps the old catalog on failure. */
  refresh(): Promise<boolean>;
  close(): void;
}

const RETRY_MIN_MS = 2_000;
const RETRY_MAX_MS = 5 * 60_000;

/** Loads the catalog from cache without waiting for the network, then keeps it fresh in the background. */
export function createCatalogLoader(options: CatalogLoaderOptions): CatalogLoader {
  const { logger, now } = options;
  let catalog: Catalog | undefined;
  let timer: NodeJS.Timeout | undefined;
  let retryDelay = RETRY_MIN_MS;
  let closed = false;
  let inFlight: Promise<boolean> | undefined;
  let markReady: (catalog: Catalog) => void = () => {};
  const readyPromise = new Promise<Catalog>((resolve) => (markReady = resolve));

  const schedule = (delayMs: number): void => {
    clearTimeout(timer);
    if (closed) return;
    timer = setTimeout(() => void refresh(), Math.max(0, Math.min(delayMs, 2 ** 31 - 1)));
    timer.unref();
  };

  const use = (next: Catalog): void => {
    catalog = next;
    markReady(next);
  };

  async function fetchOnce(): Promise<boolean> {
    try {
      const models = await options.client.listModels();
      const fetchedAt = now();
      const next = buildCatalog(models, fetchedAt, 'network');
      use(next);
      const freeIdsByPriority = next.models.filter((model) => model.free).map((model) => model.id);
      writeCache(options.cachePath, freeIdsByPriority, models, fetchedAt, logger);
      logger.info('catalog fetched', { models: models.length, free: models.filter(isFreeModel).length });
      retryDelay = RETRY_MIN_MS;
      schedule(options.ttlMs);
      return true;
    } catch (error) {
      logger.warn('catalog fetch failed', { error, retryInMs: retryDelay, using: catalog ? catalog.source : 'nothing yet' });
      schedule(retryDelay);
      retryDelay = Math.min(retryDelay * 2, RETRY_MAX_MS);
      return false;
    }
  }

  function refresh(): Promise<boolean> {
    inFlight ??= fetchOnce().finally(() => (inFlight = undefined));
    return inFlight;
  }

  const cached = readCache(options.cachePath, logger);
  if (cached !== undefined) {
    use(buildCatalog(cached.models, cached.fetchedAt, 'cache'));
    const age = now() - cached.fetchedAt;
    if (age < options.ttlMs) {
      logger.info('catalog loaded from cache', { models: cached.models.length, ageMinutes: Math.round(age / 60_000) });
      schedule(options.ttlMs - age);
    } else {
      logger.warn('catalog cache is stale; using it while refreshing', { ageMinutes: Math.round(age / 60_000) });
      void refresh();
    }
  } else {
    void refresh();
  }

  return {
    current: () => catalog,
    ready: () => readyPromise,
    nextRefreshAt: () => (catalog ? catalog.fetchedAt + options.ttlMs : now()),
    refresh,
    close: () => {
      closed = true;
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
