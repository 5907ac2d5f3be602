// One vocabulary for how an attempt went, and one bus that carries it. The core (core/attempt-walk.ts
// and core/routed-chat.ts) is the only emitter; the cooldown policy, the outage detector, the daily
// counter, the request log and the logger subscribe, and none of them classifies a failure again.
import type { CatalogModel } from '../catalog/model-info.ts';
import { HttpError, toHttpError, UpstreamError } from '../errors.ts';
import type { Usage } from '../chat/wire.ts';
import { routingClassOf, type RoutingClass } from './failure-policy.ts';

/** Which request an event belongs to. `api` names the client API (absent: an unlogged request, such as embeddings). */
export interface RequestRef {
  id: number;
  api?: string;
  requested: string;
}

/**
 * What a failure says to outage detection: `server` (5xx or network, OpenRouter's own), `auth` (a
 * 401: OpenRouter rejected the key), or `other` (about one model or one request).
 */
export type FailureSignal = 'server' | 'auth' | 'other';

/**
 * A failed attempt, classified once: what routing makes of it (cooldown, stop, move on) and what it
 * says about OpenRouter. `error` is anything that is not the upstream's doing (a bug, an answer the
 * proxy could not read); it stops the walk and touches no cooldown.
 */
export type AttemptFailure =
  | { routing: RoutingClass; error: UpstreamError; signal: FailureSignal }
  | { routing: 'error'; error: HttpError; signal: 'other' };

interface AttemptRef {
  request: RequestRef;
  model: CatalogModel;
  /** 1 for the first model tried. */
  attempt: number;
}

/**
 * How one attempt went. `committed` is the point of no fallback: a stream's first content, or a
 * whole answer in hand. Then `completed` when the answer is whole (at once for a whole answer, at the
 * clean end for a stream), or `failed` / `cancelled` with `committed: true` for a stream that broke or
 * lost its client on the way. Durations are ms since the attempt started, on the core's one clock.
 */
export type AttemptOutcome = AttemptRef &
  (
    | { kind: 'started' }
    | { kind: 'committed'; ms: number }
    | { kind: 'completed'; ms: number }
    | { kind: 'failed'; ms: number; failure: AttemptFailure; committed: boolean }
    | { kind: 'cancelled'; ms: number; committed: boolean }
  );

/** The request around the attempts: its start, its first content, the end of its walk over models, its end. */
export type RequestEvent =
  | { kind: 'request-start'; request: RequestRef }
  | { kind: 'first-content'; request: RequestRef }
  /** While recording or replaying: one upstream exchange of the request was answered from a recording, or sent and recorded. */
  | { kind: 'exchange'; request: RequestRef; source: 'replayed' | 'recorded' }
  /** No more models will be tried; `outage` when the walk stopped because OpenRouter itself is down. */
  | { kind: 'walk-end'; request: RequestRef; outage: boolean }
  | { kind: 'request-end'; request: RequestRef; status: number; model?: string; usage?: Usage };

export type RoutedEvent = AttemptOutcome | RequestEvent;

export interface OutcomeBus {
  emit(event: RoutedEvent): void;
  /** Adds a listener; listeners run in the order they subscribed, synchronously. Returns the unsubscribe function. */
  subscribe(listener: (event: RoutedEvent) => void): () => void;
  /** A new request's reference (ids are per bus). */
  request(requested: string, api?: string): RequestRef;
}

/** Builds a bus. A listener that throws is a bug in it, not in the request: it must not break the answer. */
export function createOutcomeBus(onListenerError: (error: unknown) => void = () => {}): OutcomeBus {
  const listeners: Array<(event: RoutedEvent) => void> = [];
  let nextId = 1;
  return {
    emit(event) {
      for (const listener of listeners) {
        try {
          listener(event);
        } catch (error) {
          onListenerError(error);
        }
      }
    },
    subscribe(listener) {
      listeners.push(listener);
      return () => {
        const at = listeners.indexOf(listener);
        if (at !== -1) listeners.splice(at, 1);
      };
    },
    request: (requested, api) => ({ id: nextId++, requested, ...(api !== undefined ? { api } : {}) }),
  };
}

/** Classifies a failed attempt: the one place an upstream error becomes a routing class and an outage signal. */
export function classifyFailure(error: unknown): AttemptFailure {
  if (!(error instanceof UpstreamError)) return { routing: 'error', error: toHttpError(error), signal: 'other' };
  const routing = routingClassOf(error);
  const signal: FailureSignal = outageSignalOf(error);
  return { error, routing, signal };
}

/**
 * What a failure says about OpenRouter itself. A failure a provider is named for is that provider's,
 * and proof that OpenRouter answers: free providers fail like this every day, one at a time, and it
 * must not read as an outage. Network failures arrive as 502.
 */
function outageSignalOf(error: UpstreamError): FailureSignal {
  if (error.provider !== undefined) return 'other';
  if (error.status === 401) return 'auth';
  return error.failure === 'transient' && error.status >= 500 ? 'server' : 'other';
}

/** True when an error is the client going away (499), not anything the model did. */
export function isClientGone(error: unknown): boolean {
  return error instanceof HttpError && error.status === 499;
}
