import type { CatalogModel } from '../catalog/model-info.ts';
import type { RequestNeeds } from '../catalog/routing.ts';
import type { OllamaChatRequest, OllamaGenerateRequest } from '../convert/ollama-types.ts';
import { parseKeepAlive, toOllamaTimestamp } from '../convert/to-ollama.ts';
import { toOpenAIChatRequest, toOpenAIChatRequestFromGenerate } from '../convert/to-openai-chat-request.ts';
import { validateChatRequest, validateGenerateRequest } from '../convert/validate-ollama-request.ts';
import { HttpError } from '../http/errors.ts';
import type { ParsedRequest, Reply } from '../http/router.ts';
import type { ChatRequest } from '../openrouter/types.ts';
import { ndjsonEncoderStage } from '../streams/encoders.ts';
import { chain, stageStream } from '../streams/stage.ts';
import { chatLineFormat, generateLineFormat, ollamaLineStage, OllamaLineStream, type OllamaLine, type OllamaLineFormat } from '../streams/ollama-lines.ts';
import { routeChatCollected, routeChatStream } from './chat-flow.ts';
import { routingHeaders, type HandlerContext } from './context.ts';
import { DEFAULT_KEEP_ALIVE_MS } from './recent-models.ts';

const NO_METRICS = { total_duration: 0, load_duration: 0, prompt_eval_count: 0, prompt_eval_duration: 0, eval_count: 0, eval_duration: 0 };

interface InferenceRequest {
  model: string;
  stream?: boolean;
  keep_alive?: number | string;
}

/** `POST /api/chat`: streams NDJSON by default, one object with `stream: false`. */
export function handleOllamaChat(context: HandlerContext, request: ParsedRequest): Promise<Reply> {
  const chat = validateChatRequest(request.body);
  if (chat.messages.length === 0) return Promise.resolve(loadReply(context, chat, chatLineFormat(chat.model)));
  const needs: RequestNeeds = {
    kind: 'chat',
    tools: (chat.tools?.length ?? 0) > 0,
    vision: chat.messages.some((message) => (message.images?.length ?? 0) > 0),
    thinking: wantsThinking(chat.think),
  };
  return infer(context, request, chat, needs, chatLineFormat(chat.model), (model) => toOpenAIChatRequest(chat, model.id, true));
}

/** `POST /api/generate`: like chat, with `response` instead of `message`. */
export function handleOllamaGenerate(context: HandlerContext, request: ParsedRequest): Promise<Reply> {
  const generate = validateGenerateRequest(request.body);
  if ((generate.prompt ?? '') === '' && (generate.suffix ?? '') === '' && (generate.images?.length ?? 0) === 0) {
    return Promise.resolve(loadReply(context, generate, generateLineFormat(generate.model)));
  }
  const needs: RequestNeeds = { kind: 'chat', tools: false, vision: (generate.images?.length ?? 0) > 0, thinking: wantsThinking(generate.think) };
  return infer(context, request, generate, needs, generateLineFormat(generate.model), (model) => toOpenAIChatRequestFromGenerate(generate, model.id, true));
}

function wantsThinking(think: OllamaChatRequest['think']): boolean {
  return think !== undefined && think !== false;
}

async function infer(
  context: HandlerContext,
  request: ParsedRequest,
  inference: OllamaChatRequest | OllamaGenerateRequest,
  needs: RequestNeeds,
  format: OllamaLineFormat,
  toUpstream: (model: CatalogModel) => ChatRequest,
): Promise<Reply> {
  const keepAliveMs = parseKeepAlive(inference.keep_alive) ?? DEFAULT_KEEP_ALIVE_MS;
  if (inference.stream === false) {
    const routed = await routeChatCollected(context, inference.model, needs, toUpstream, request.signal);
    context.recent.touch(inference.model, routed.model, keepAliveMs);
    const lines = ReadableStream.from([routed.value.parts]).pipeThrough(new OllamaLineStream(format, routed.value.timing, context.clock));
    return { json: mergeLines((await Array.fromAsync(lines)).flat()), headers: routingHeaders(routed.model, routed.attempts) };
  }
  const routed = await routeChatStream(context, inference.model, needs, toUpstream, request.signal);
  context.recent.touch(inference.model, routed.model, keepAliveMs);
  const stream = routed.value.parts
    .pipeThrough(stageStream(chain(ollamaLineStage(format, routed.value.timing, context.clock), ndjsonEncoderStage())));
  return { stream, contentType: 'application/x-ndjson', headers: routingHeaders(routed.model, routed.attempts) };
}

/** Folds a stream's lines into the single object a `stream: false` client expects. */
export function mergeLines(lines: readonly OllamaLine[]): OllamaLine {
  const failure = lines.find((line) => typeof line.error === 'string');
  if (failure !== undefined) throw new HttpError(502, failure.error as string);
  const final = lines[lines.length - 1] ?? {};
  let content = '';
  let thinking = '';
  const toolCalls: unknown[] = [];
  for (const line of lines) {
    const message = line.message as { content?: string; thinking?: string; tool_calls?: unknown[] } | undefined;
    content += message?.content ?? (line.response as string | undefined) ?? '';
    thinking += message?.thinking ?? (line.thinking as string | undefined) ?? '';
    toolCalls.push(...(message?.tool_calls ?? []));
  }
  const extras = { ...(thinking ? { thinking } : {}), ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}) };
  if ('message' in final) return { ...final, message: { role: 'assistant', content, ...extras } };
  return { ...final, response: content, ...(thinking ? { thinking } : {}) };
}

/** Empty messages or prompt: Ollama's load request, or an unload with `keep_alive: 0`. Nothing goes upstream. */
function loadReply(context: HandlerContext, inference: InferenceRequest, format: OllamaLineFormat): Reply {
  const keepAliveMs = parseKeepAlive(inference.keep_alive);
  const unload = keepAliveMs === 0;
  const model = context.router.findVisible(inference.model) ?? (context.config.freeMode ? servingModel(context, inference.model) : undefined);
  if (model === undefined && !context.config.freeMode) throw new HttpError(404, `model '${inference.model}' not found`);
  if (unload) context.recent.unload(inference.model);
  else if (model !== undefined) context.recent.touch(inference.model, model, keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS);
  const line = format.final(toOllamaTimestamp(context.clock.wall()), unload ? 'unload' : 'load', NO_METRICS);
  // Ollama's load answer has no metrics at all: it ran nothing.
  for (const key of Object.keys(NO_METRICS)) delete line[key];
  return { json: line };
}

/** In free mode any name is served: the model that would answer it first, if one can (for /api/ps). */
function servingModel(context: HandlerContext, name: string): CatalogModel | undefined {
  try {
    return context.router.plan(name, { kind: 'chat', tools: false, vision: false }).candidates[0];
  } catch {
    // No model can serve it right now (cooldowns, account limits): a load still succeeds, as in Ollama.
    return undefined;
  }
}
