// Anthropic's Messages API as one record: /v1/messages (and count_tokens), and the model list for
// Anthropic clients, which share /v1/models with OpenAI's and say who they are with `anthropic-version`.
import type { CatalogModel } from '../../catalog/model-info.ts';
import { HttpError } from '../../errors.ts';
import type { ParsedRequest, Reply } from '../../http/url-router.ts';
import type { ClientApi } from '../../serving/client-api.ts';
import type { HandlerContext } from '../../serving/context.ts';
import { listedAliases } from '../../serving/listed-aliases.ts';
import { estimateTokens } from '../../chat/estimate-tokens.ts';
import { toAnthropicError } from './errors.ts';
import { anthropicMessages } from './messages-dialect.ts';
import { toAnthropicModel, toAnthropicModelPage } from './models.ts';
import { toChatRequest } from './to-chat-request.ts';

/** `POST /v1/messages/count_tokens`: an estimate (see chat/estimate-tokens.ts); nothing goes upstream, which the quota's savings count. */
export function handleAnthropicCountTokens(context: HandlerContext, request: ParsedRequest): Reply {
  const tokens = estimateTokens(toChatRequest(request.body, { requireMaxTokens: false }).chat).tokens;
  context.router.resilience().savings.save('count_tokens');
  return { json: { input_tokens: tokens } };
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
export function isAnthropicClient(headers: Record<string, unknown>): boolean {
  return headers['anthropic-version'] !== undefined;
}

const GET = ['GET', 'HEAD'];

export const anthropicApi: ClientApi = {
  name: 'anthropic',
  label: 'Anthropic',
  errorReply: toAnthropicError,
  // /v1/messages, and anything under /v1 from an Anthropic client.
  claims: (path, headers) => path === '/v1/messages' || path.startsWith('/v1/messages/') || ((path === '/v1' || path.startsWith('/v1/')) && isAnthropicClient(headers)),
  chats: { '/v1/messages': anthropicMessages },
  routes: (context) => [
    { methods: ['POST'], path: '/v1/messages/count_tokens', handler: (request) => handleAnthropicCountTokens(context, request) },
    { methods: GET, path: '/v1/models', when: isAnthropicClient, handler: (request) => handleAnthropicModels(context, request) },
    { methods: GET, path: '/v1/models/:id*', when: isAnthropicClient, handler: (request) => handleAnthropicModel(context, request) },
  ],
};
