import type { Logger } from '../logger.ts';
import type { FailureStore } from './failure-store.ts';

/**
 * Wraps the failure store so that a write that cannot reach the database (SQLITE_BUSY, a full disk, a
 * store closed during shutdown) is logged at WARN instead of failing the request that caused it. The
 * store applies the change in memory before it writes, so this process still honours it.
 */
export function tolerateWriteErrors(store: FailureStore, logger: Logger): FailureStore {
  const warn = (operation: string, fields: Record<string, unknown>, error: unknown): void =>
    logger.warn('failure store write failed; routing continues from memory', { operation, ...fields, error });
  return {
    isCoolingDown: (model, now) => store.isCoolingDown(model, now),
    get: (model) => store.get(model),
    activeCooldowns: (now) => store.activeCooldowns(now),
    accountLimit: (scope, now) => store.accountLimit(scope, now),
    close: () => store.close(),
    recordFailure(model, kind, now, cooldownUntil) {
      try {
        return store.recordFailure(model, kind, now, cooldownUntil);
      } catch (error) {
        warn('recordFailure', { model, kind }, error);
        // The caller only needs a record to log; the memory copy is the truth for this process.
        return store.get(model) ?? { model, kind, count: 1, lastFailureAt: now, cooldownUntil: now };
      }
    },
    recordSuccess(model) {
      try {
        store.recordSuccess(model);
      } catch (error) {
        warn('recordSuccess', { model }, error);
      }
    },
    setAccountLimit(limit) {
      try {
        store.setAccountLimit(limit);
      } catch (error) {
        warn('setAccountLimit', { scope: limit.scope }, error);
      }
    },
  };
}
