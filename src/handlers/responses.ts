import { randomBytes } from 'node:crypto';
import type { CatalogModel } from '../catalog/model-info.ts';
import { toChatRequest, type ResponsesChatRequest } from '../dialects/responses/to-chat-request.ts';
import { toResponseEventsStage } from '../dialects/responses/to-response-events.ts';
import { toResponseObject } from '../dialects/responses/to-response-object.ts';
import type { ResponseContext } from '../dialects/responses/types.ts';
import type { ParsedRequest, Reply } from '../http/router.ts';
import { stageStream } from '../streams/stage.ts';
import { routeChatCollected, routeChatStream } from './chat-flow.ts';
import { routingHeaders, type HandlerContext } from './context.ts';
import { DEFAULT_KEEP_ALIVE_MS } from './recent-models.ts';

const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;

/** `POST /v1/responses` (stateless): routed like /api/chat, answered as Responses events or one response object. */
export async function handleResponses(context: HandlerContext, request: ParsedRequest): Promise<Reply> {
  const converted = toChatRequest(request.body);
  for (const type of converted.droppedTools) context.logger.warn('responses: dropped a tool type the proxy cannot serve', { type });
  for (const type of converted.skippedItems) context.logger.warn('responses: skipped input items of a hosted tool', { type });
  const toUpstream = (model: CatalogModel) => ({ ...converted.chat, model: model.id });
  const route = converted.stream ? routeChatStream : routeChatCollected;
  const routed = await route(context, converted.requestedModel, converted.needs, toUpstream, request.signal);
  context.recent.touch(converted.requestedModel, routed.model, DEFAULT_KEEP_ALIVE_MS);
  const headers = routingHeaders(routed.model, routed.attempts);
  const responseContext = toResponseContext(context, converted, routed.model);
  if (Array.isArray(routed.value.parts)) return { json: toResponseObject(responseContext, routed.value.parts), headers };
  const stream = routed.value.parts.pipeThrough(stageStream(toResponseEventsStage(responseContext)));
  return { stream, contentType: 'text/event-stream; charset=utf-8', headers };
}

function toResponseContext(context: HandlerContext, converted: ResponsesChatRequest, model: CatalogModel): ResponseContext {
  return { id: newId('resp'), model: model.id, createdAt: Math.floor(context.clock.wall() / 1000), echo: converted.echo, toolTargets: converted.toolTargets, newId };
}
