// Ollama's /api/chat and /api/generate as dialects: NDJSON lines streamed, one object otherwise.
import type { ChatRequest } from '../../chat/wire.ts';
import type { RequestNeeds } from '../../routing/model-router.ts';
import type { ChatDialect, ChatIntent } from '../../serving/dialect.ts';
import { ndjsonEncoderStage } from '../../streams/ndjson-encoder.ts';
import { chain } from '../../streams/stage.ts';
import { loadReply } from './load-reply.ts';
import { toOpenAIChatRequest, toOpenAIChatRequestFromGenerate } from './to-chat-request.ts';
import { parseKeepAlive } from './to-ollama.ts';
import { chatLineFormat, generateLineFormat, ollamaLineStage, type OllamaLineFormat } from './to-ollama-lines.ts';
import { toOllamaResponse } from './to-ollama-response.ts';
import type { OllamaThink } from './types.ts';
import { validateChatRequest, validateGenerateRequest } from './validate-request.ts';

export interface OllamaIntent extends ChatIntent {
  /** Empty messages or prompt: Ollama's load (or, with keep_alive 0, unload) call. Nothing goes upstream. */
  load: boolean;
  format: OllamaLineFormat;
}

const wantsThinking = (think: OllamaThink | undefined): boolean => think !== undefined && think !== false;

// What the two endpoints share once their requests are converted.
const ollamaAnswers: Omit<ChatDialect<OllamaIntent>, 'parse'> = {
  streamContentType: 'application/x-ndjson',
  encode: (intent, answer) => chain(ollamaLineStage(intent.format, answer.timing, answer.clock), ndjsonEncoderStage()),
  collect: { from: 'answer', build: (intent, collected, answer) => toOllamaResponse(intent.format, collected, answer.timing, answer.clock) },
  answerLocally: (intent, context) => (intent.load ? loadReply(context, intent) : undefined),
};

// The converted request, made once; each attempt only names its model.
function upstreamFor(chat: ChatRequest): Pick<OllamaIntent, 'chat' | 'toUpstream'> {
  return { chat, toUpstream: (model) => ({ ...chat, model: model.id }) };
}

/** `POST /api/chat`. */
export const ollamaChat: ChatDialect<OllamaIntent> = {
  ...ollamaAnswers,
  parse(body) {
    const chat = validateChatRequest(body);
    const needs: RequestNeeds = {
      kind: 'chat',
      tools: (chat.tools?.length ?? 0) > 0,
      vision: chat.messages.some((message) => (message.images?.length ?? 0) > 0),
      thinking: wantsThinking(chat.think),
    };
    return {
      requestedModel: chat.model,
      stream: chat.stream !== false,
      needs,
      keepAliveMs: parseKeepAlive(chat.keep_alive),
      load: chat.messages.length === 0,
      format: chatLineFormat(chat.model),
      // Both ways read OpenRouter's stream: a non-streamed answer is collected from it.
      ...upstreamFor(toOpenAIChatRequest(chat, '', true)),
    };
  },
};

/** `POST /api/generate`: like chat, with `response` instead of `message`. */
export const ollamaGenerate: ChatDialect<OllamaIntent> = {
  ...ollamaAnswers,
  parse(body) {
    const generate = validateGenerateRequest(body);
    const images = generate.images?.length ?? 0;
    return {
      requestedModel: generate.model,
      stream: generate.stream !== false,
      needs: { kind: 'chat', tools: false, vision: images > 0, thinking: wantsThinking(generate.think) },
      keepAliveMs: parseKeepAlive(generate.keep_alive),
      load: (generate.prompt ?? '') === '' && (generate.suffix ?? '') === '' && images === 0,
      format: generateLineFormat(generate.model),
      ...upstreamFor(toOpenAIChatRequestFromGenerate(generate, '', true)),
    };
  },
};
