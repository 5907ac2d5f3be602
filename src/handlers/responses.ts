import { responsesChat } from '../dialects/responses/chat-dialect.ts';
import type { ParsedRequest, Reply } from '../http/url-router.ts';
import type { HandlerContext } from './context.ts';
import { serveChat } from './serve-chat.ts';

/** `POST /v1/responses` (stateless): routed like /api/chat; tools the proxy cannot serve are dropped with one WARN per type. */
export function handleResponses(context: HandlerContext, request: ParsedRequest): Promise<Reply> {
  const intent = responsesChat.parse(request.body, context.config);
  for (const type of intent.request.droppedTools) context.logger.warn('responses: dropped a tool type the proxy cannot serve', { type });
  for (const type of intent.request.skippedItems) context.logger.warn('responses: skipped input items of a hosted tool', { type });
  return serveChat(context, request, responsesChat, intent);
}
