import type { CatalogModel } from '../catalog/model-info.ts';
import type { RequestNeeds } from '../catalog/routing.ts';
import { isPlainObject } from '../convert/field-validators.ts';
import { toFillInTheMiddlePrompt } from '../convert/to-openai-chat-request.ts';
import { HttpError } from '../http/errors.ts';
import type { ParsedRequest, Reply } from '../http/router.ts';
import type { ChatCompletion, ChatRequest } from '../openrouter/types.ts';
import { OpenAISseEncoderStream } from '../streams/encoders.ts';
import { toTextCompletionData } from '../streams/completion-encoder.ts';
import { routeChatStream } from './chat-flow.ts';
import { listedAliases } from './ollama-models.ts';
import { routingHeaders, type HandlerContext } from './context.ts';
import { DEFAULT_KEEP_ALIVE_MS } from './recent-models.ts';

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

function validateOpenAIBody(body: unknown, field: 'messages' | 'prompt'): Record<string, unknown> & { model: string } {
  if (body === undefined) throw new HttpError(400, 'missing request body');
  if (!isPlainObject(body)) throw new HttpError(400, 'request body must be a JSON object');
  if (typeof body.model !== 'string' || body.model.trim() === '') throw new HttpError(400, 'model is required');
  if (field === 'messages') {
    if (!Array.isArray(body.messages)) throw new HttpError(400, 'messages must be an array');
    if (body.messages.length === 0) throw new HttpError(400, "[] is too short - 'messages'");
    if (!body.messages.every(isPlainObject)) throw new HttpError(400, 'messages must be an array of objects');
  } else if (typeof body.prompt !== 'string' && !(Array.isArray(body.prompt) && body.prompt.every((p) => typeof p === 'string'))) {
    throw new HttpError(400, 'prompt must be a string');
  }
  if (body.stream !== undefined && typeof body.stream !== 'boolean') throw new HttpError(400, 'stream must be a boolean');
  return body as Record<string, unknown> & { model: string };
}

function needsOf(body: Record<string, unknown>): RequestNeeds {
  const messages = Array.isArray(body.messages) ? (body.messages as Array<{ content?: unknown }>) : [];
  return {
    kind: 'chat',
    tools: Array.isArray(body.tools) && body.tools.length > 0,
    vision: messages.some((message) => Array.isArray(message.content) && message.content.some((part) => (part as { type?: unknown })?.type === 'image_url')),
    thinking: wantsReasoning(body),
  };
}

// OpenRouter's `reasoning` object, the `reasoning_effort` shorthand, or legacy `include_reasoning`.
function wantsReasoning(body: Record<string, unknown>): boolean {
  const reasoning = body.reasoning as { enabled?: unknown; effort?: unknown; exclude?: unknown } | undefined;
  if (reasoning !== undefined && reasoning !== null) return reasoning.enabled !== false && reasoning.effort !== 'none';
  if (typeof body.reasoning_effort === 'string') return body.reasoning_effort !== 'none';
  return body.include_reasoning === true;
}

// OpenRouter fields that pick other models (`models`, `route`) would bypass the proxy's routing: the
// filter, TOOL_USE_ONLY and, in free mode, would fall back to a paid model and bill it. In free mode
// the paid add-ons (`plugins` such as web search, `web_search_options`) go too.
const ROUTING_FIELDS = ['models', 'route'];
const PAID_FIELDS = ['plugins', 'web_search_options'];

/** The client's request minus fields that would override the proxy's model choice (and, in free mode, cost money). */
function forwardable(body: Record<string, unknown>, freeMode: boolean): Record<string, unknown> {
  const dropped = freeMode ? [...ROUTING_FIELDS, ...PAID_FIELDS] : ROUTING_FIELDS;
  if (!dropped.some((field) => field in body)) return body;
  const copy = { ...body };
  for (const field of dropped) delete copy[field];
  return copy;
}

/** `POST /v1/chat/completions`: the client's request goes upstream (minus routing overrides); the answer comes back untouched. */
export async function handleOpenAIChat(context: HandlerContext, request: ParsedRequest): Promise<Reply> {
  const body = validateOpenAIBody(request.body, 'messages');
  const upstreamBody = forwardable(body, context.config.freeMode) as unknown as ChatRequest;
  const toUpstream = (model: CatalogModel): ChatRequest => ({ ...upstreamBody, model: model.id });
  return respond(context, request, body, toUpstream, (parts) => parts.pipeThrough(new OpenAISseEncoderStream()), (completion) => completion);
}

/** `POST /v1/completions` (legacy): served through chat, answered in the text-completion shape. */
export async function handleOpenAICompletions(context: HandlerContext, request: ParsedRequest): Promise<Reply> {
  const body = validateOpenAIBody(request.body, 'prompt');
  const prompt = Array.isArray(body.prompt) ? body.prompt.join('\n') : (body.prompt as string);
  const { prompt: _prompt, suffix, echo: _echo, best_of: _bestOf, logprobs: _logprobs, ...rest } = forwardable(body, context.config.freeMode);
  // Chat has no suffix field; a suffix turns the prompt into the same fill-in-the-middle request /api/generate makes.
  const content = typeof suffix === 'string' && suffix !== '' ? toFillInTheMiddlePrompt(prompt, suffix) : prompt;
  const toUpstream = (model: CatalogModel): ChatRequest => ({ ...rest, model: model.id, messages: [{ role: 'user', content }] });
  return respond(context, request, { ...body, messages: [] }, toUpstream, (parts) => parts.pipeThrough(new OpenAISseEncoderStream(toTextCompletionData)), toTextCompletion);
}

async function respond(
  context: HandlerContext,
  request: ParsedRequest,
  body: Record<string, unknown> & { model: string },
  toUpstream: (model: CatalogModel) => ChatRequest,
  encode: (parts: Awaited<ReturnType<typeof routeChatStream>>['value']['parts']) => ReadableStream<Uint8Array>,
  shape: (completion: ChatCompletion) => unknown,
): Promise<Reply> {
  const needs = needsOf(body);
  if (body.stream === true) {
    const routed = await routeChatStream(context, body.model, needs, toUpstream, request.signal);
    context.recent.touch(body.model, routed.model, DEFAULT_KEEP_ALIVE_MS);
    return { stream: encode(routed.value.parts), contentType: 'text/event-stream; charset=utf-8', headers: routingHeaders(routed.model, routed.attempts) };
  }
  const plan = context.router.plan(body.model, needs);
  const routed = await context.router.run(plan, (model) => context.client.chat(toUpstream(model), request.signal), request.signal);
  // /v1 clients (Copilot, say) use models too: /api/ps should show them.
  context.recent.touch(body.model, routed.model, DEFAULT_KEEP_ALIVE_MS);
  return { json: shape(routed.value), headers: routingHeaders(routed.model, routed.attempts) };
}

function toTextCompletion(completion: ChatCompletion & { created?: number }) {
  const choice = completion.choices?.[0];
  return {
    id: completion.id,
    object: 'text_completion',
    created: completion.created ?? Math.floor(Date.now() / 1000),
    model: completion.model,
    choices: [{ text: choice?.message?.content ?? '', index: 0, finish_reason: choice?.finish_reason ?? null, logprobs: null }],
    usage: completion.usage,
  };
}
