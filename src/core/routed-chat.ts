// The routed attempt, start to end: plan the candidates, try each, commit to one, and record how it
// ended. This is the one place that decides when a model has succeeded or failed:
// - a failure before the commit point is recorded and the next candidate is tried;
// - a streamed answer commits at its first content; from then on a failure is reported inside the
//   stream, and the outcome (failure or clean end) is recorded when the stream finishes;
// - a collected or non-streamed answer commits only once it is whole, so a failure anywhere in it
//   still falls back, and success is recorded at once.
import type { CatalogModel } from '../catalog/model-info.ts';
import type { ChatPart, ChunkPart, StreamTiming } from '../chat/parts.ts';
import type { ChatCompletion, ChatRequest } from '../chat/wire.ts';
import type { Clock } from '../clock.ts';
import { HttpError, UpstreamError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { OpenRouterClient } from '../openrouter/client.ts';
import type { EmbeddingsRequest, EmbeddingsResponse } from '../openrouter/types.ts';
import { routingClassOf } from '../routing/failure-policy.ts';
import type { ModelRouter, RequestNeeds, RoutePlan } from '../routing/model-router.ts';
import type { PartSource } from '../streams/part-source.ts';
import { readToFirstContent, watchOutcome } from './read-ahead.ts';

/** What a client asked for, before any model is chosen. */
export interface RouteTarget {
  requestedModel: string;
  needs: RequestNeeds;
  /** The client's signal: aborted when it goes away. */
  signal: AbortSignal;
}

/** A chat to route: the target plus the upstream request for a given model. */
export interface ChatRoute extends RouteTarget {
  toUpstream: (model: CatalogModel) => ChatRequest;
}

/** The committed answer: what it is, which model gave it, and how many models were tried. */
export interface Routed<T> {
  value: T;
  model: CatalogModel;
  attempts: number;
  timing: StreamTiming;
}

export interface ChatCore {
  /** A streamed chat: parts in batches, committed at the first content; the outcome is recorded when the stream ends. */
  stream(route: ChatRoute): Promise<Routed<PartSource>>;
  /** A whole answer read from the upstream stream inside the attempt, so a failure anywhere still falls back. */
  collect(route: ChatRoute): Promise<Routed<ChunkPart[]>>;
  /** A non-streamed upstream completion, relayed as OpenRouter sent it. */
  complete(route: ChatRoute): Promise<Routed<ChatCompletion>>;
  /** Embeddings, routed and recorded the same way; `read` checks the answer inside the attempt. */
  embeddings<T>(target: RouteTarget, toUpstream: (model: CatalogModel) => EmbeddingsRequest, read: (response: EmbeddingsResponse) => T): Promise<Routed<T>>;
}

export interface ChatCoreDeps {
  router: ModelRouter;
  client: OpenRouterClient;
  clock: Clock;
  logger: Logger;
}

/** Builds the routed-attempt core over the routing policy and the OpenRouter client. */
export function createChatCore(deps: ChatCoreDeps): ChatCore {
  const { router, client, clock } = deps;

  async function routeCommitted<T>(target: RouteTarget, attempt: (model: CatalogModel) => Promise<{ value: T; headersAt: number }>): Promise<Routed<T>> {
    const startedAt = clock.monotonic();
    const walked = await walkCandidates(deps, router.plan(target.requestedModel, target.needs), attempt, target.signal);
    return { value: walked.value.value, model: walked.model, attempts: walked.attempts, timing: { startedAt, headersAt: walked.value.headersAt } };
  }

  return {
    stream: (route) =>
      routeCommitted(route, async (model) => {
        const opened = await client.chatStream(route.toUpstream(model), route.signal);
        const ahead = await readToFirstContent(opened.parts);
        const parts = watchOutcome(ahead, {
          onFailure: (error) => void router.recordFailure(model, error),
          onCleanEnd: () => router.recordSuccess(model),
        });
        return { value: parts, headersAt: opened.headersAt };
      }),

    async collect(route) {
      const routed = await routeCommitted(route, async (model) => {
        const opened = await client.chatStream(route.toUpstream(model), route.signal);
        return { value: await collectChunks(opened.parts), headersAt: opened.headersAt };
      });
      router.recordSuccess(routed.model);
      return routed;
    },

    async complete(route) {
      const routed = await routeCommitted(route, async (model) => ({ value: await client.chat(route.toUpstream(model), route.signal), headersAt: clock.monotonic() }));
      router.recordSuccess(routed.model);
      return routed;
    },

    async embeddings(target, toUpstream, read) {
      const routed = await routeCommitted(target, async (model) => ({ value: read(await client.embeddings(toUpstream(model), target.signal)), headersAt: clock.monotonic() }));
      router.recordSuccess(routed.model);
      return routed;
    },
  };
}

/**
 * Tries the planned candidates in order until one attempt resolves, recording each failure; stops
 * early when the policy says no other model could succeed. Success is the caller's to record.
 */
export async function walkCandidates<T>(
  deps: Pick<ChatCoreDeps, 'router' | 'logger'>,
  plan: RoutePlan,
  attempt: (model: CatalogModel) => Promise<T>,
  signal: AbortSignal,
): Promise<{ value: T; model: CatalogModel; attempts: number }> {
  const { router, logger } = deps;
  let lastError: { model: CatalogModel; error: UpstreamError } | undefined;
  let attempts = 0;
  for (const model of plan.candidates) {
    if (plan.fallback && attempts > 0 && !router.stillAvailable(model)) continue;
    attempts++;
    const started = performance.now();
    try {
      const value = await attempt(model);
      logger.info('attempt', { model: model.id, attempt: attempts, outcome: 'ok', ms: Math.round(performance.now() - started) });
      return { value, model, attempts };
    } catch (error) {
      if (!(error instanceof UpstreamError) || signal.aborted) throw error;
      const outcome = routingClassOf(error);
      logger.info('attempt', { model: model.id, attempt: attempts, outcome, status: error.status, error: error.message, ms: Math.round(performance.now() - started) });
      const stop = router.recordFailure(model, error);
      if (stop !== undefined) throw stop;
      if (!plan.fallback) throw error;
      // "This model cannot do that" is a poorer explanation than an earlier real failure.
      if (lastError === undefined || outcome !== 'unsupported') lastError = { model, error };
    }
  }
  if (lastError === undefined) throw router.allCoolingDown(plan.candidates);
  const { model, error } = lastError;
  throw new HttpError(error.status, `all ${attempts} models tried failed; last error (${model.id}): ${error.message}`, { cause: error, headers: error.headers });
}

/** Reads a whole stream inside the attempt; an error part anywhere fails the attempt. */
async function collectChunks(parts: PartSource): Promise<ChunkPart[]> {
  const collected: ChunkPart[] = [];
  for (let batch = await parts.next(); batch !== undefined; batch = await parts.next()) {
    for (const part of batch) {
      if (part.type === 'error') throw part.error;
      collected.push(part);
    }
  }
  return collected;
}
