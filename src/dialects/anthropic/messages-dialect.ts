// Anthropic's Messages API (`POST /v1/messages`) as a dialect over the routed-attempt core.
import { randomUUID } from 'node:crypto';
import { estimateTokens } from '../../chat/estimate-tokens.ts';
import type { ChatDialect, ChatIntent } from '../../serving/dialect.ts';
import { anthropicEventStage } from './to-anthropic-events.ts';
import { toAnthropicMessage } from './to-anthropic-message.ts';
import { toChatRequest } from './to-chat-request.ts';

export interface AnthropicIntent extends ChatIntent {
  /** The message id (`msg_…`), shared by the stream and the one-object answer. */
  id: string;
  estimatedInputTokens: number;
}

/** `POST /v1/messages`: SSE when `stream` is true, one message otherwise. */
export const anthropicMessages: ChatDialect<AnthropicIntent> = {
  parse(body) {
    const plan = toChatRequest(body);
    const estimated = estimateTokens(plan.chat).tokens;
    return {
      requestedModel: plan.requestedModel,
      stream: plan.stream,
      needs: plan.needs,
      droppedTools: plan.droppedServerTools,
      id: `msg_${randomUUID().replaceAll('-', '')}`,
      estimatedInputTokens: estimated,
      chat: plan.chat,
      toUpstream: (model) => ({ ...plan.chat, model: model.id }),
    };
  },
  streamContentType: 'text/event-stream; charset=utf-8',
  encode: (intent) => anthropicEventStage({ id: intent.id, model: intent.requestedModel, estimatedInputTokens: intent.estimatedInputTokens }),
  collect: { from: 'answer', build: (intent, parts) => toAnthropicMessage(parts, { id: intent.id, model: intent.requestedModel }) },
};
