import type { CatalogModel } from '../catalog/model-info.ts';
import { estimateInputTokens } from '../dialects/anthropic/count-tokens.ts';
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

/** `POST /v1/messages/count_tokens`: an estimate (see dialects/anthropic/count-tokens.ts); nothing goes upstream. */
export function handleAnthropicCountTokens(request: ParsedRequest): Reply {
  return { json: { input_tokens: estimateInputTokens(toChatRequest(request.body, { requireMaxTokens: false }).chat) } };
}

/** `GET /v1/models` from an Anthropic client: the visible models, paged as Anthropic pages them. */
export function handleAnthropicModels(context: HandlerContext, request: ParsedRequest): Reply {
  // Alias names first, as /api/tags and the OpenAI list show them. Only chat models: Claude Code's
  // /model picker offers every entry, and an embedding model cannot answer a message.
  const chat = ({ model }: { model: CatalogModel }) => !model.capabilities.embedding;
  const listed = [...listedAliases(context).map(({ alias, model }) => ({ id: alias, model })), ...context.router.visibleModels().map((model) => ({ id: model.name, model }))].filter(chat);
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
