// What a client API (a dialect) provides: pure conversions around the routed-attempt core.
import type { CatalogModel } from '../catalog/model-info.ts';
import type { ChatPart, ChunkPart, StreamTiming } from '../chat/parts.ts';
import type { ChatBody, ChatCompletion, ChatRequest } from '../chat/wire.ts';
import type { Clock } from '../clock.ts';
import type { RequestNeeds } from '../routing/model-router.ts';
import type { ClientApi } from '../status/request-log.ts';
import type { Stage } from '../streams/stage.ts';

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
}

/** How a dialect builds its one-object answer: from the collected stream parts, or from OpenRouter's own completion. */
export type NonStreamAnswer<I> =
  | { from: 'parts'; build(intent: I, parts: readonly ChunkPart[], answer: Answer): unknown }
  | { from: 'completion'; build(intent: I, completion: ChatCompletion): unknown };

/** One client API's chat endpoint, as pure functions. */
export interface ChatDialect<I extends ChatIntent> {
  /** Which client API this is, as the request log (the dashboard) names it. */
  api: ClientApi;
  /** Validates a body and converts it; throws HttpError 400 naming the field. */
  parse(body: unknown, options: DialectOptions): I;
  /** The content type of a streamed answer. */
  streamContentType: string;
  /** Chat part batches → this API's stream bytes; `flush` ends the stream the way the API ends it. */
  encodeStream(intent: I, answer: Answer): Stage<ChatPart[], Uint8Array>;
  nonStream: NonStreamAnswer<I>;
}

export interface DialectOptions {
  freeMode: boolean;
}
