// The cooldown policy as a subscriber of attempt outcomes: a failure cools its model down (or caps the
// account), a whole answer clears the model's record. The one subtlety is an outage: failures that
// OpenRouter itself caused must cool nothing, and that is known only once enough of them are seen.
import type { FailureStore } from '../store/failure-store.ts';
import type { RoutedEvent } from './attempt-outcome.ts';
import { applyFailure, type CooldownSettings } from './failure-policy.ts';

export interface CooldownListenerDeps {
  /** The store as routing writes it (write errors tolerated). */
  store: FailureStore;
  settings: CooldownSettings;
  nextRefreshAt: () => number;
  /** Whether OpenRouter is down now; absent when outages are not detected (every failure counts). */
  outage?: { current(): unknown };
}

/**
 * Builds the listener. Within one walk over models, the cooldowns of server and auth failures wait
 * for the walk's end: if it ended in an outage they are dropped, otherwise written. Any other failure
 * writes at once, together with whatever was waiting (it shows OpenRouter is answering). After the
 * commit point a failure is written at once, unless an outage is in force. Subscribe it after the
 * outage detector, whose verdict it reads.
 */
export function createCooldownListener(deps: CooldownListenerDeps): (event: RoutedEvent) => void {
  const pending = new Map<number, Array<() => void>>();
  const flush = (requestId: number): void => {
    const writes = pending.get(requestId);
    pending.delete(requestId);
    for (const write of writes ?? []) write();
  };
  return (event) => {
    switch (event.kind) {
      case 'failed': {
        const { routing, error, signal } = event.failure;
        if (routing === 'error') return;
        const write = () => applyFailure(deps.store, event.model, error, deps.settings, deps.nextRefreshAt());
        if (event.committed) {
          if (deps.outage?.current() === undefined) write();
          return;
        }
        if (deps.outage !== undefined && signal !== 'other') {
          pending.set(event.request.id, [...(pending.get(event.request.id) ?? []), write]);
          return;
        }
        flush(event.request.id);
        write();
        return;
      }
      case 'completed':
        deps.store.recordSuccess(event.model.id);
        return;
      case 'walk-end':
        if (event.outage) pending.delete(event.request.id);
        else flush(event.request.id);
        return;
      default:
        return;
    }
  };
}
