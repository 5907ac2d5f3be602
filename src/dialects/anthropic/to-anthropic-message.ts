import type { CollectedAnswer } from '../../chat/answer.ts';
import { toAnthropicStopReason } from './map-stop-reason.ts';
import { toToolInput } from './tool-input.ts';
import type { AnthropicMessage, AnthropicResponseBlock } from './types.ts';
import { thinkingSignature } from './thinking-signature.ts';

/**
 * A whole answer → one non-stream Anthropic message: thinking first, then text, then one `tool_use`
 * block per call. Built from the collected answer, not from the SSE events, so neither path depends
 * on the other's quirks.
 */
export function toAnthropicMessage(answer: CollectedAnswer, options: { id: string; model: string }): AnthropicMessage {
  const newId = (index: number) => `toolu_${options.id.replace(/^msg_/, '')}_${index}`;
  const content: AnthropicResponseBlock[] = [
    ...(answer.reasoning !== '' ? [{ type: 'thinking' as const, thinking: answer.reasoning, signature: thinkingSignature(answer.reasoning) }] : []),
    ...(answer.text !== '' ? [{ type: 'text' as const, text: answer.text }] : []),
    ...answer.toolCalls.map((call) => ({ type: 'tool_use' as const, id: call.id || newId(call.index), name: call.name, input: toToolInput(call.arguments) })),
  ];
  return {
    id: options.id,
    type: 'message',
    role: 'assistant',
    model: options.model,
    content,
    stop_reason: toAnthropicStopReason(answer.finishReason, answer.nativeFinishReason, answer.toolCalls.length > 0),
    stop_sequence: null,
    usage: { input_tokens: answer.usage?.prompt_tokens ?? 0, output_tokens: answer.usage?.completion_tokens ?? 0 },
  };
}
