// The routed attempt, start to end: plan the candidates, walk them, commit to one, and report how it
// ended on the outcome bus (routing/attempt-outcome.ts), the only place anything learns of it:
// - a failure before the commit point is reported and the next candidate is tried;
// - a streamed answer commits at its first content; from then on a failure is reported inside the
//   stream, and the outcome (failed, completed or cancelled) when the stream finishes;
// - a collected or non-streamed answer commits only once it is whole, so a failure anywhere in it
//   still falls back, and it is completed at once.
import type { CatalogModel } from '../catalog/model-info.ts';
import type { AnswerEvent, CollectedAnswer } from '../chat/answer.ts';
import type { ChatCompletion, ChatRequest, Usage } from '../chat/wire.ts';
import type { Clock } from '../clock.ts';
import { toHttpError } from '../errors.ts';
import type { OpenRouterClient } from '../openrouter/client.ts';
import type { EmbeddingsRequest, EmbeddingsResponse } from '../openrouter/types.ts';
import type { ExchangeContext, ExchangeSource } from '../recording/exchange-context.ts';
import { classifyFailure, type OutcomeBus, type RequestRef } from '../routing/attempt-outcome.ts';
import type { ModelRouter, RequestNeeds } from '../routing/model-router.ts';
import type { Stage } from '../streams/stage.ts';
import { answerReply, type AnswerObserver } from './answer-reply.ts';
import { answerLocally } from './local-answer.ts';
import { walkAttempts, type WalkDeps, type Walked } from './attempt-walk.ts';
import { collectWhole, readToFirstContent } from './read-ahead.ts';

/** What a client asked for, before any model is chosen. */
export interface RouteTarget {
  /** The client API, for the request log (the dashboard); a target without one is not logged. */
  api?: string;
  requestedModel: string;
  needs: RequestNeeds;
  /** The client's signal: aborted when it goes away. */
  signal: AbortSignal;
}

/** A chat to route: the target plus the upstream request for a given model. */
export interface ChatRoute extends RouteTarget {
  toUpstream: (model: CatalogModel) => ChatRequest;
}

/** When a routed chat started and when its upstream answered (monotonic ms), for the timings clients see. */
export interface StreamTiming {
  /** When the proxy received the request. */
  startedAt: number;
  /** When the upstream answered with headers. */
  headersAt: number;
}

/** The committed answer: what it is, which model gave it, and how many models were tried. */
export interface Routed<T> {
  value: T;
  model: CatalogModel;
  attempts: number;
  timing: StreamTiming;
}

/** A streamed answer past its commit point. */
export interface CommittedStream {
  /** The client's reply: the answer, from its first event, through `encoder`; when `stop` aborts, it ends with that error. */
  reply(encoder: Stage<AnswerEvent[], Uint8Array>, stop?: AbortSignal): ReadableStream<Uint8Array>;
  /** Lets go of the answer when no reply will be made (the encoder could not be built). */
  cancel(reason?: unknown): Promise<void>;
}

/** An answer the proxy made itself: a reply like any streamed answer, and its whole form. */
export interface LocalAnswer extends CommittedStream {
  whole(): CollectedAnswer;
}

export interface ChatCore {
  /** A streamed chat, committed at the first content; its outcome is reported when the stream ends. */
  stream(route: ChatRoute): Promise<Routed<CommittedStream>>;
  /** A whole answer read from the upstream stream inside the attempt, so a failure anywhere still falls back. */
  collect(route: ChatRoute): Promise<Routed<CollectedAnswer>>;
  /** A non-streamed upstream completion, relayed as OpenRouter sent it. */
  complete(route: ChatRoute): Promise<Routed<ChatCompletion>>;
  /** Embeddings, routed and reported the same way; `read` checks the answer inside the attempt. */
  embeddings<T>(target: RouteTarget, toUpstream: (model: CatalogModel) => EmbeddingsRequest, read: (response: EmbeddingsResponse) => T): Promise<Routed<T>>;
  /** An answer the proxy makes itself (a session title): no attempt, no upstream request; logged like any other (0 attempts). */
  answerLocally(target: RouteTarget, events: readonly AnswerEvent[]): Routed<LocalAnswer>;
}

export interface ChatCoreDeps {
  router: ModelRouter;
  client: OpenRouterClient;
  clock: Clock;
  /** The walk's store, resilience and logger; the bus and clock come from here. */
  walk: Omit<WalkDeps, 'bus' | 'now' | 'monotonic'>;
  bus: OutcomeBus;
  /** While recording or replaying: which request each upstream exchange belongs to (replayed or recorded). */
  exchanges?: ExchangeContext;
}

type Attempt<T> = (model: CatalogModel, request: RequestRef) => Promise<{ value: T; headersAt: number }>;

/** Builds the routed-attempt core over the routing policy and the OpenRouter client. */
export function createChatCore(deps: ChatCoreDeps): ChatCore {
  const { router, client, clock, bus } = deps;
  const walkDeps: WalkDeps = { ...deps.walk, bus, now: clock.wall, monotonic: clock.monotonic };

  // Plans and walks the candidates; a request that fails before any answer ends here.
  async function route<T>(target: RouteTarget, attempt: Attempt<T>): Promise<{ request: RequestRef; walked: Walked<{ value: T; headersAt: number }>; timing: StreamTiming }> {
    const request = bus.request(target.requestedModel, target.api);
    bus.emit({ kind: 'request-start', request });
    const startedAt = clock.monotonic();
    try {
      const plan = router.plan(target.requestedModel, target.needs);
      const walk = () => walkAttempts(walkDeps, request, plan, (model) => attempt(model, request), target.signal);
      const onExchange = (source: ExchangeSource) => bus.emit({ kind: 'exchange', request, source });
      const walked = await (deps.exchanges === undefined ? walk() : deps.exchanges.run(onExchange, walk));
      return { request, walked, timing: { startedAt, headersAt: walked.value.headersAt } };
    } catch (error) {
      bus.emit({ kind: 'request-end', request, status: toHttpError(error).status });
      throw error;
    }
  }

  // A whole answer: complete as soon as it is in hand.
  async function routeWhole<T>(target: RouteTarget, attempt: Attempt<T>, usageOf: (value: T) => Usage | undefined): Promise<Routed<T>> {
    const { request, walked, timing } = await route(target, attempt);
    const { model, attempts } = walked;
    bus.emit({ kind: 'completed', request, model, attempt: attempts, ms: Math.round(clock.monotonic() - walked.startedAt) });
    bus.emit({ kind: 'request-end', request, status: 200, model: model.id, usage: usageOf(walked.value.value) });
    return { value: walked.value.value, model, attempts, timing };
  }

  return {
    async stream(chat) {
      const { request, walked, timing } = await route(chat, async (model) => {
        const opened = await client.chatStream(chat.toUpstream(model), chat.signal);
        return { value: { answer: opened.answer, buffered: await readToFirstContent(opened.answer) }, headersAt: opened.headersAt };
      });
      bus.emit({ kind: 'first-content', request });
      const { answer, buffered } = walked.value.value;
      // Only what it reports: an open stream must not keep the read-ahead alive through `walked`.
      const observer = observeStream(bus, { request, model: walked.model, attempt: walked.attempts }, walked.startedAt, clock);
      return {
        value: { reply: (encoder, stop) => answerReply(answer, buffered, encoder, observer, stop), cancel: (reason) => answer.cancel(reason) },
        model: walked.model,
        attempts: walked.attempts,
        timing,
      };
    },

    collect: (chat) =>
      routeWhole(
        chat,
        async (model, request) => {
          const opened = await client.chatStream(chat.toUpstream(model), chat.signal);
          return { value: await collectWhole(opened.answer, () => bus.emit({ kind: 'first-content', request })), headersAt: opened.headersAt };
        },
        (answer) => answer.usage,
      ),

    complete: (chat) =>
      routeWhole(chat, async (model) => ({ value: await client.chat(chat.toUpstream(model), chat.signal), headersAt: clock.monotonic() }), (completion) => completion.usage),

    embeddings: (target, toUpstream, read) =>
      routeWhole(target, async (model) => ({ value: read(await client.embeddings(toUpstream(model), target.signal)), headersAt: clock.monotonic() }), () => undefined),

    answerLocally: (target, events) => answerLocally(bus, clock, target, events),
  };
}

/** Reports how a committed stream ends: completed, failed after the commit point, or cancelled by its client. */
function observeStream(bus: OutcomeBus, ref: { request: RequestRef; model: CatalogModel; attempt: number }, startedAt: number, clock: Clock): AnswerObserver {
  const { request, model } = ref;
  const elapsed = () => Math.round(clock.monotonic() - startedAt);
  let usage: Usage | undefined;
  let failure: ReturnType<typeof classifyFailure> | undefined;
  const end = (status: number) => bus.emit({ kind: 'request-end', request, status, model: model.id, ...(usage !== undefined ? { usage } : {}) });
  return {
    events(batch) {
      for (const event of batch) {
        if (event.type === 'finish') usage = event.usage;
        else if (event.type === 'error') failure = classifyFailure(event.error);
      }
    },
    end() {
      if (failure === undefined) bus.emit({ kind: 'completed', ...ref, ms: elapsed() });
      else bus.emit({ kind: 'failed', ...ref, ms: elapsed(), failure, committed: true });
      // Headers (200) are already out: the request's row shows the status the error would have had.
      end(failure?.error.status ?? 200);
    },
    cancel() {
      bus.emit({ kind: 'cancelled', ...ref, ms: elapsed(), committed: true });
      end(499);
    },
  };
}
