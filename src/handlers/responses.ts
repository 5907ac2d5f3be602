import { responsesChat } from '../dialects/responses/chat-dialect.ts';
import type { ParsedRequest, Reply } from '../http/url-router.ts';
import type { HandlerContext } from './context.ts';
import { serveChat } from './serve-chat.ts';

/** `POST /v1/responses` (stateless): routed like /api/chat. */
export const handleResponses = (context: HandlerContext, request: ParsedRequest): Promise<Reply> => serveChat(context, request, responsesChat);
