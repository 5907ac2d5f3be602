// POST /chat/completions: auth, scripted faults, OpenRouter's routing errors, the context check, then the reply.
import { isEmbeddingModel, isRouter } from './catalog.ts';
import { contextOverflowReply } from './context-length.ts';
import { applyEarlyFault, findModel, rejectOverFreeLimit, rejectUnauthenticated, sendError } from './context.ts';
import type { HandlerContext } from './context.ts';
import { errorReply, TOOL_USE_MESSAGE } from './errors.ts';
import type { ErrorReply } from './errors.ts';
import { sendCompletion } from './nonstream.ts';
import { planReply } from './replies.ts';
import { hasImageParts, lastUserText, parseChatRequest, requestedModelId, requestTools } from './request.ts';
import type { ChatRequest } from './request.ts';
import { sendStream } from './stream.ts';
import { buildUsage, createFrame } from './wire.ts';
import type { FakeModel } from './types.ts';

function supportsTools(model: FakeModel): boolean {
  return model.supported_parameters.includes('tools');
}

function supportsImages(model: FakeModel): boolean {
  return model.architecture.input_modalities.includes('image');
}

/** Resolves the model that serves a request (routers pick a paid model) or the routing error OpenRouter gives. */
export function routeChat(request: ChatRequest, models: FakeModel[], modelId: string): FakeModel | ErrorReply {
  if (modelId === '') return errorReply(400, 'No models provided');
  const model = findModel(models, modelId);
  if (model === undefined) return errorReply(400, `${modelId} is not a valid model ID`);
  if (isEmbeddingModel(model)) return errorReply(404, `No endpoints found for ${modelId}.`);
  const needsTools = requestTools(request).length > 0;
  const needsImages = hasImageParts(request.messages);
  // Like openrouter/auto, answer with (and label the reply as) a concrete model able to serve it.
  const served = !isRouter(model) ? model : models.find((m) =>
    !isRouter(m) && !isEmbeddingModel(m) && Number(m.pricing.prompt) > 0 &&
    (!needsTools || supportsTools(m)) && (!needsImages || supportsImages(m))) ?? model;
  if (needsTools && !supportsTools(served)) return errorReply(404, TOOL_USE_MESSAGE);
  if (needsImages && !supportsImages(served)) return errorReply(404, 'No endpoints found that support image input');
  return served;
}

/** Handles a chat completion request, streamed or not. */
export async function handleChat(ctx: HandlerContext): Promise<void> {
  const { state, sink } = ctx;
  if (rejectUnauthenticated(ctx)) return;
  const request = parseChatRequest(ctx.body);
  if (typeof request === 'string') return sendError(sink, errorReply(400, request));
  const modelId = requestedModelId(request);
  const fault = state.faults.take(modelId);
  if (await applyEarlyFault(ctx, fault, modelId, findModel(state.models, modelId), lastUserText(request.messages))) return;
  const served = routeChat(request, state.models, modelId);
  if ('status' in served) return sendError(sink, served);
  const overflow = contextOverflowReply(request, served);
  if (overflow !== undefined) return sendError(sink, overflow);
  if (rejectOverFreeLimit(ctx, modelId)) return;
  const plan = planReply(request, served, () => `call_${state.ids.next(24)}`);
  const frame = createFrame(served, state.ids, Date.now());
  const usage = buildUsage(plan, served);
  state.usageUsd += Number(usage['cost']);
  if (request.stream !== true) return sendCompletion({ sink, frame, plan, usage, fault });
  const usageShape = state.streamCount++ % 2 === 0 ? 'empty-choices' : 'choice';
  return sendStream({ sink, frame, plan, usage, usageShape, keepAliveComments: state.keepAliveComments, fault });
}
