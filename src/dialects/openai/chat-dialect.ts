// OpenAI's /v1/chat/completions and legacy /v1/completions as dialects. Chat relays OpenRouter's own
// chunks and completions untouched; completions reshape them as text completions.
import type { ChatRequest } from '../../chat/wire.ts';
import type { ChatDialect, ChatIntent } from '../../serving/dialect.ts';
import { toFillInTheMiddlePrompt } from '../fill-in-the-middle.ts';
import { forwardable, openAINeeds, validateOpenAIBody } from './to-chat-request.ts';
import { chunkFrame, toChatCompletion } from './to-chat-chunks.ts';
import { openAISseEncoderStage } from './to-openai-sse.ts';
import { toTextCompletion, toTextCompletionData } from './to-text-completion.ts';

const SSE = 'text/event-stream; charset=utf-8';

/** `POST /v1/chat/completions`: the client's request goes upstream (minus routing overrides). */
export const openAIChat: ChatDialect<ChatIntent> = {
  parse(body, options) {
    const request = validateOpenAIBody(body, 'messages');
    const upstream = forwardable(request, options.freeMode) as unknown as ChatRequest;
    return { requestedModel: request.model, stream: request.stream === true, needs: openAINeeds(request), chat: upstream, toUpstream: (model) => ({ ...upstream, model: model.id }) };
  },
  streamContentType: SSE,
  encode: (_intent, answer) => openAISseEncoderStage(undefined, answer.origin === 'local' ? chunkFrame(answer) : undefined),
  collect: { from: 'completion', build: (_intent, completion) => completion, local: (_intent, whole, answer) => toChatCompletion(whole, chunkFrame(answer)) },
};

/** `POST /v1/completions` (legacy): served through chat, answered in the text-completion shape. */
export const openAICompletions: ChatDialect<ChatIntent> = {
  parse(body, options) {
    const request = validateOpenAIBody(body, 'prompt');
    const prompt = Array.isArray(request.prompt) ? request.prompt.join('\n') : (request.prompt as string);
    const { prompt: _prompt, suffix, echo: _echo, best_of: _bestOf, logprobs: _logprobs, ...rest } = forwardable(request, options.freeMode);
    // Chat has no suffix field; a suffix turns the prompt into the same fill-in-the-middle request /api/generate makes.
    const content = typeof suffix === 'string' && suffix !== '' ? toFillInTheMiddlePrompt(prompt, suffix) : prompt;
    const messages: ChatRequest['messages'] = [{ role: 'user', content }];
    return {
      requestedModel: request.model,
      stream: request.stream === true,
      needs: openAINeeds({ ...request, messages: [] }),
      chat: { ...rest, messages },
      toUpstream: (model) => ({ ...rest, model: model.id, messages }),
    };
  },
  streamContentType: SSE,
  encode: (_intent, answer) => openAISseEncoderStage(toTextCompletionData, answer.origin === 'local' ? chunkFrame(answer) : undefined),
  collect: {
    from: 'completion',
    build: (_intent, completion) => toTextCompletion(completion),
    local: (_intent, whole, answer) => toTextCompletion(toChatCompletion(whole, chunkFrame(answer))),
  },
};
