// Feeds the request log (the dashboard's rows) from the outcome bus: a row per logged request, an
// attempt per model tried, the first content, and how the request ended.
import type { Usage } from '../chat/wire.ts';
import type { RoutedEvent } from '../routing/attempt-outcome.ts';
import type { RequestEntry, RequestLog } from './request-log.ts';

/** Token counts from an upstream usage object, in the row's shape. */
export function toRowTokens(usage: Usage | undefined): { prompt?: number; completion?: number } | undefined {
  if (usage === undefined) return undefined;
  return { ...(usage.prompt_tokens !== undefined ? { prompt: usage.prompt_tokens } : {}), ...(usage.completion_tokens !== undefined ? { completion: usage.completion_tokens } : {}) };
}

/** Builds the listener; requests without a client API (embeddings) are not logged. */
export function requestLogListener(log: RequestLog): (event: RoutedEvent) => void {
  const open = new Map<number, RequestEntry>();
  return (event) => {
    const entry = open.get(event.request.id);
    switch (event.kind) {
      case 'request-start':
        if (event.request.api !== undefined) open.set(event.request.id, log.begin({ api: event.request.api, requested: event.request.requested }));
        return;
      case 'committed':
        return entry?.attempt({ model: event.model.id, outcome: 'ok', ms: event.ms });
      case 'failed':
        // A failure after the commit point shows in the row's status, not as another attempt.
        if (event.committed) return;
        return entry?.attempt({ model: event.model.id, outcome: event.failure.routing, status: event.failure.error.status, error: event.failure.error.message, ms: event.ms });
      case 'cancelled':
        // 499: the client went away while the model was being tried; not the model's failure.
        if (event.committed) return;
        return entry?.attempt({ model: event.model.id, outcome: 'cancelled', status: 499, error: 'client closed the connection', ms: event.ms });
      case 'first-content':
        return entry?.firstToken();
      case 'exchange':
        return entry?.exchange(event.source);
      case 'request-end': {
        open.delete(event.request.id);
        const tokens = toRowTokens(event.usage);
        return entry?.end({ status: event.status, ...(event.model !== undefined ? { model: event.model } : {}), ...(tokens !== undefined ? { tokens } : {}) });
      }
      default:
        return;
    }
  };
}
