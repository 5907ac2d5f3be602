// The routed attempt, start to end: plan the candidates, try each, commit to one, and record how it
// ended. This is the one place that decides when a model has succeeded or failed:
// - a failure before the commit point is recorded and the next candidate is tried (the routing
//   policy's attempt loop decides what a failure means: cooldown, outage, waiting, the cap);
// - a streamed answer commits at its first content; from then on a failure is reported inside the
//   stream, and the outcome (failure or clean end) is recorded when the stream finishes;
// - a collected or non-streamed answer commits only once it is whole, so a failure anywhere in it
//   still falls back, and success is recorded at once.
import type { CatalogModel } from '../catalog/model-info.ts';
import type { ChunkPart, StreamTiming } from '../chat/parts.ts';
import type { ChatCompletion, ChatRequest, Usage } from '../chat/wire.ts';
import type { Clock } from '../clock.ts';
import type { OpenRouterClient } from '../openrouter/client.ts';
import type { EmbeddingsRequest, EmbeddingsResponse } from '../openrouter/types.ts';
import type { ExchangeContext } from '../recording/exchange-context.ts';
import type { ModelRouter, RequestNeeds } from '../routing/model-router.ts';
import type { ClientApi, RequestEntry, RequestLog } from '../status/request-log.ts';
import { endFailed, noteParts, observeAttempts, toRowTokens, trackParts } from '../status/track-chat.ts';
import type { PartSource } from '../streams/part-source.ts';
import { readToFirstContent, watchOutcome } from './read-ahead.ts';

/** What a client asked for, before any model is chosen. */
export interface RouteTarget {
  /** The client API, for the request log (the dashboard); a target without one is not logged. */
  api?: ClientApi;
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
  requests: RequestLog;
  /** While recording or replaying: tells the request's log row where each upstream answer came from. */
  exchanges?: ExchangeContext;
}

// What an unlogged request (embeddings) writes to: nothing.
const UNLOGGED: RequestEntry = { attempt: () => {}, firstToken: () => {}, exchange: () => {}, end: () => {} };

/** Builds the routed-attempt core over the routing policy and the OpenRouter client. */
export function createChatCore(deps: ChatCoreDeps): ChatCore {
  const { router, client, clock } = deps;

  type Attempt<T> = (model: CatalogModel, entry: RequestEntry) => Promise<{ value: T; headersAt: number }>;

  // Plans, walks the candidates and logs the request; a failure before any answer ends its log row.
  async function routeCommitted<T>(target: RouteTarget, attempt: Attempt<T>): Promise<Routed<T> & { entry: RequestEntry }> {
    const startedAt = clock.monotonic();
    const entry = target.api === undefined ? UNLOGGED : deps.requests.begin({ api: target.api, requested: target.requestedModel });
    try {
      const plan = router.plan(target.requestedModel, target.needs);
      const run = () => router.run(plan, observeAttempts(entry, clock.monotonic, (model) => attempt(model, entry)), target.signal);
      const walked = await (deps.exchanges === undefined ? run() : deps.exchanges.run(entry.exchange, run));
      return { value: walked.value.value, model: walked.model, attempts: walked.attempts, timing: { startedAt, headersAt: walked.value.headersAt }, entry };
    } catch (error) {
      return endFailed(entry, error);
    }
  }

  // A whole answer: success is recorded, and its log row ended, as soon as it is in hand.
  async function routeWhole<T>(target: RouteTarget, attempt: Attempt<T>, usageOf: (value: T) => Usage | undefined): Promise<Routed<T>> {
    const { entry, ...routed } = await routeCommitted(target, attempt);
    router.recordSuccess(routed.model);
    entry.end({ status: 200, model: routed.model.id, tokens: toRowTokens(usageOf(routed.value)) });
    return routed;
  }

  return {
    async stream(route) {
      const { entry: _entry, ...routed } = await routeCommitted(route, async (model, entry) => {
        const opened = await client.chatStream(route.toUpstream(model), route.signal);
        const ahead = await readToFirstContent(opened.parts);
        const tracker = trackParts(entry, model);
        const parts = watchOutcome(ahead, {
          onFailure: (error) => void router.recordFailure(model, error),
          onCleanEnd: () => router.recordSuccess(model),
          onBatch: tracker.batch,
          onDone: tracker.end,
          onCancel: tracker.cancel,
        });
        return { value: parts, headersAt: opened.headersAt };
      });
      return routed;
    },

    collect: (route) =>
      routeWhole(
        route,
        async (model, entry) => {
          const opened = await client.chatStream(route.toUpstream(model), route.signal);
          return { value: await collectChunks(opened.parts, entry), headersAt: opened.headersAt };
        },
        (parts) => parts.findLast((part) => part.chunk.usage !== undefined)?.chunk.usage,
      ),

    complete: (route) =>
      routeWhole(route, async (model) => ({ value: await client.chat(route.toUpstream(model), route.signal), headersAt: clock.monotonic() }), (completion) => completion.usage),

    embeddings: (target, toUpstream, read) =>
      routeWhole(target, async (model) => ({ value: read(await client.embeddings(toUpstream(model), target.signal)), headersAt: clock.monotonic() }), () => undefined),
  };
}

/** Reads a whole stream inside the attempt; an error part anywhere fails the attempt. */
async function collectChunks(parts: PartSource, entry: RequestEntry): Promise<ChunkPart[]> {
  const collected: ChunkPart[] = [];
  const seen = {};
  for (let batch = await parts.next(); batch !== undefined; batch = await parts.next()) {
    noteParts(entry, batch, seen);
    for (const part of batch) {
      if (part.type === 'error') throw part.error;
      collected.push(part);
    }
  }
  return collected;
}
