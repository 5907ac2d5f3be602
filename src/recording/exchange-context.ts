// Which client request an upstream exchange belongs to, while recording or replaying. The fetch that
// records or replays sits below the OpenRouter client and knows nothing of requests; the request it
// serves is carried in async context (node:async_hooks, no dependency), set once per client request.
import { AsyncLocalStorage } from 'node:async_hooks';

/** Where an upstream exchange's answer came from: a recording, or OpenRouter (and then recorded). */
export type ExchangeSource = 'replayed' | 'recorded';

export interface ExchangeContext {
  /** Runs `fn` as one client request: each upstream exchange it makes is reported to `onExchange`. */
  run<T>(onExchange: (source: ExchangeSource) => void, fn: () => T): T;
  /** Reports an exchange of the current request (nothing outside a request: the catalog, GET /key). */
  report(source: ExchangeSource): void;
  /**
   * Defers `count` to the current request's next exchange: it runs if that exchange goes upstream,
   * and is dropped if it is replayed. Outside a request, or when nothing replays, it runs at once.
   */
  countIfSent(count: () => void): void;
}

interface RequestScope {
  onExchange: (source: ExchangeSource) => void;
  deferred: Array<() => void>;
}

/** The context when nothing is recorded or replayed: no async context, counts run at once. */
export const NO_EXCHANGE_CONTEXT: ExchangeContext = { run: (_onExchange, fn) => fn(), report: () => {}, countIfSent: (count) => count() };

/** Creates the exchange context of one app. */
export function createExchangeContext(): ExchangeContext {
  const storage = new AsyncLocalStorage<RequestScope>();
  return {
    run: (onExchange, fn) => storage.run({ onExchange, deferred: [] }, fn),
    report(source) {
      const scope = storage.getStore();
      if (scope === undefined) return;
      const deferred = scope.deferred.splice(0);
      if (source === 'recorded') for (const count of deferred) count();
      scope.onExchange(source);
    },
    countIfSent(count) {
      const scope = storage.getStore();
      if (scope === undefined) count();
      else scope.deferred.push(count);
    },
  };
}
