// The INFO `attempt` lines: one per model tried before the commit point, from the outcome bus.
import type { Logger } from '../logger.ts';
import type { RoutedEvent } from '../routing/attempt-outcome.ts';

/** Logs each attempt's verdict: `ok` when it committed, or its failure's routing class. */
export function attemptLogListener(logger: Logger): (event: RoutedEvent) => void {
  return (event) => {
    if (event.kind === 'committed') logger.info('attempt', { model: event.model.id, attempt: event.attempt, outcome: 'ok', ms: event.ms });
    else if (event.kind === 'failed' && !event.committed && event.failure.routing !== 'error') {
      const { error, routing } = event.failure;
      logger.info('attempt', { model: event.model.id, attempt: event.attempt, outcome: routing, status: error.status, error: error.message, ms: event.ms });
    }
  };
}
