// OpenAI's /v1 API (chat completions, legacy completions, models, embeddings) as one record. The
// Responses API is its own record (dialects/responses/api.ts), with OpenAI's error shape.
import type { CatalogModel } from '../../catalog/model-info.ts';
import { HttpError } from '../../errors.ts';
import type { ParsedRequest, Reply } from '../../http/url-router.ts';
import type { ClientApi } from '../../serving/client-api.ts';
import type { HandlerContext } from '../../serving/context.ts';
import { listedAliases } from '../../serving/listed-aliases.ts';
import { openAIChat, openAICompletions } from './chat-dialect.ts';
import { handleOpenAIEmbeddings } from './embeddings.ts';
import { toOpenAIError } from './errors.ts';

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

/** True for a path under /v1. */
export const isV1Path = (path: string): boolean => path === '/v1' || path.startsWith('/v1/');

export const openAIApi: ClientApi = {
  name: 'openai',
  label: 'OpenAI',
  errorReply: toOpenAIError,
  claims: isV1Path,
  chats: { '/v1/chat/completions': openAIChat, '/v1/completions': openAICompletions },
  routes: (context) => [
    { methods: ['GET', 'HEAD'], path: '/v1/models', handler: () => handleOpenAIModels(context) },
    { methods: ['GET', 'HEAD'], path: '/v1/models/:id*', handler: (request) => handleOpenAIModel(context, request) },
    { methods: ['POST'], path: '/v1/embeddings', handler: (request) => handleOpenAIEmbeddings(context, request) },
  ],
};
