import { estimateTokens } from '../chat/estimate-tokens.ts';
import { anthropicMessages } from '../dialects/anthropic/messages-dialect.ts';
import { toAnthropicModel, toAnthropicModelPage } from '../dialects/anthropic/models.ts';
import { toChatRequest } from '../dialects/anthropic/to-chat-request.ts';
import { HttpError } from '../errors.ts';
import type { ParsedRequest, Reply } from '../http/url-router.ts';
import type { HandlerContext } from './context.ts';
import { listedAliases } from './models.ts';
import { serveChat } from './serve-chat.ts';

/** `POST /v1/messages`: routed like /api/chat. */
export const handleAnthropicMessages = (context: HandlerContext, request: ParsedRequest): Promise<Reply> => serveChat(context, request, anthropicMessages);

/** `POST /v1/messages/count_tokens`: an estimate (see chat/estimate-tokens.ts); nothing goes upstream, which the quota's savings count. */
export function handleAnthropicCountTokens(context: HandlerContext, request: ParsedRequest): Reply {
  const tokens = estimateTokens(toChatRequest(request.body, { requireMaxTokens: false }).chat).tokens;
  context.router.resilience().savings.save('count_tokens');
  return { json: { input_tokens: tokens } };
}

/** `GET /v1/models` from an Anthropic client: the visible models, paged as Anthropic pages them. */
export function handleAnthropicModels(context: HandlerContext, request: ParsedRequest): Reply {
  // Alias names first, as /api/tags and the OpenAI list show them.
  const listed = [...listedAliases(context).map(({ alias, model }) => ({ id: alias, model })), ...context.router.visibleModels().map((model) => ({ id: model.name, model }))];
  return { json: toAnthropicModelPage(listed, request.query) };
}

/** `GET /v1/models/{id}` from an Anthropic client. */
export function handleAnthropicModel(context: HandlerContext, request: ParsedRequest): Reply {
  const id = request.params.id ?? '';
  const model = context.router.findVisible(id);
  if (model === undefined) throw new HttpError(404, `model '${id}' not found`);
  return { json: toAnthropicModel(model, id) };
}

/** True when a request comes from an Anthropic client, which always sends `anthropic-version`. */
export function isAnthropicClient(request: { headers: Record<string, string | undefined> }): boolean {
  return request.headers['anthropic-version'] !== undefined;
}
