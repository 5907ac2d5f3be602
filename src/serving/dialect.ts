// What a client API's chat endpoint provides: three pure conversions around the routed-attempt core.
import type { CatalogModel } from '../catalog/model-info.ts';
import type { AnswerEvent, CollectedAnswer } from '../chat/answer.ts';
import type { ChatBody, ChatCompletion, ChatRequest } from '../chat/wire.ts';
import type { Clock } from '../clock.ts';
import type { StreamTiming } from '../core/routed-chat.ts';
import type { Reply } from '../http/url-router.ts';
import type { RequestNeeds } from '../routing/model-router.ts';
import type { Stage } from '../streams/stage.ts';
import type { HandlerContext } from './context.ts';

/** A validated client request, converted: what to route, and the upstream request for a given model. */
export interface ChatIntent {
  /** The model name the client asked for (answers echo it). */
  requestedModel: string;
  stream: boolean;
  needs: RequestNeeds;
  /** The upstream request before a model is chosen: what the request's size and local answers are judged on. */
  chat: ChatBody;
  toUpstream(model: CatalogModel): ChatRequest;
  /** How long /api/ps lists the model afterwards, when the client said (Ollama's keep_alive). */
  keepAliveMs?: number;
  /** Types of tools the client sent that the proxy cannot run and left out (logged once per type). */
  droppedTools?: readonly string[];
}

/** What an encoder may know about the committed answer. */
export interface Answer {
  model: CatalogModel;
  timing: StreamTiming;
  clock: Clock;
  /** `local`: the proxy made the answer itself (a session title), so no upstream chunk carries it. */
  origin?: 'upstream' | 'local';
}

/** How a dialect builds its one-object answer: from the whole answer (one fold over its events), or from OpenRouter's own completion (the relay). */
export type CollectAnswer<I> =
  | { from: 'answer'; build(intent: I, collected: CollectedAnswer, answer: Answer): unknown }
  | {
      from: 'completion';
      build(intent: I, completion: ChatCompletion): unknown;
      /** The same for an answer the proxy made itself (a session title), which has no upstream completion. */
      local(intent: I, collected: CollectedAnswer, answer: Answer): unknown;
    };

/** One chat endpoint of a client API, as pure functions. */
export interface ChatDialect<I extends ChatIntent> {
  /** Validates a body and converts it; throws HttpError 400 naming the field. */
  parse(body: unknown, options: DialectOptions): I;
  /** The content type of a streamed answer. */
  streamContentType: string;
  /** Answer event batches → this API's stream bytes; `flush` ends the stream the way the API ends it. */
  encode(intent: I, answer: Answer): Stage<AnswerEvent[], Uint8Array>;
  /** The one-object answer of a `stream: false` request. */
  collect: CollectAnswer<I>;
  /** An answer made without routing (Ollama's load request), or undefined to route as usual. */
  answerLocally?(intent: I, context: HandlerContext): Reply | undefined;
}

export interface DialectOptions {
  freeMode: boolean;
}
