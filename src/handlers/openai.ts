import type { CatalogModel } from '../catalog/model-info.ts';
import { openAIChat, openAICompletions } from '../dialects/openai/chat-dialect.ts';
import { HttpError } from '../errors.ts';
import type { ParsedRequest, Reply } from '../http/url-router.ts';
import type { HandlerContext } from './context.ts';
import { listedAliases } from './models.ts';
import { serveChat } from './serve-chat.ts';

/** An OpenAI model object, using the same `name:tag` ids as `/api/tags`. */
function toOpenAIModel(model: CatalogModel) {
  return { id: model.name, object: 'model', created: model.created, owned_by: model.id.split('/')[0] ?? 'openrouter' };
}

/** `GET /v1/models`. */
export function handleOpenAIModels(context: HandlerContext): Reply {
  const aliases = listedAliases(context).map(({ alias, model }) => ({ ...toOpenAIModel(model), id: alias }));
  return { json: { object: 'list', data: [...aliases, ...context.router.visibleModels().map(toOpenAIModel)] } };
}

/** `GET /v1/models/{id}`: one model, or 404 in OpenAI's shape. */
export function handleOpenAIModel(context: HandlerContext, request: ParsedRequest): Reply {
  const id = request.params.id ?? '';
  const model = context.router.findVisible(id);
  if (model === undefined) throw new HttpError(404, `model '${id}' not found`);
  return { json: { ...toOpenAIModel(model), id } };
}

/** `POST /v1/chat/completions`: OpenRouter's answer relayed as it is. */
export const handleOpenAIChat = (context: HandlerContext, request: ParsedRequest): Promise<Reply> => serveChat(context, request, openAIChat);

/** `POST /v1/completions` (legacy): served through chat, answered as text completions. */
export const handleOpenAICompletions = (context: HandlerContext, request: ParsedRequest): Promise<Reply> => serveChat(context, request, openAICompletions);
