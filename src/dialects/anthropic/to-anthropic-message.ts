import type { ChatPart } from '../../chat/parts.ts';
import { toAnthropicStopReason } from './map-stop-reason.ts';
import { createToolCallBuffer, toToolInput } from './tool-call-buffer.ts';
import type { AnthropicMessage, AnthropicResponseBlock } from './types.ts';
import { thinkingSignature } from './thinking-signature.ts';

/**
 * A whole upstream stream's chunks → one non-stream Anthropic message: thinking first, then text,
 * then one `tool_use` block per call. Built straight from the chunks, not from the SSE events, so
 * neither path depends on the other's quirks. Error parts are the caller's business (a collected
 * route throws them before this runs).
 */
export function toAnthropicMessage(parts: readonly ChatPart[], options: { id: string; model: string }): AnthropicMessage {
  const tools = createToolCallBuffer((index) => `toolu_${options.id.replace(/^msg_/, '')}_${index}`);
  let text = '';
  let thinking = '';
  let finishReason: string | null | undefined;
  let nativeFinishReason: string | null | undefined;
  let inputTokens = 0;
  let outputTokens = 0;
  for (const part of parts) {
    if (part.type !== 'chunk') continue;
    const { chunk } = part;
    if (chunk.usage !== undefined) {
      inputTokens = chunk.usage.prompt_tokens ?? inputTokens;
      outputTokens = chunk.usage.completion_tokens ?? outputTokens;
    }
    for (const choice of chunk.choices ?? []) {
      thinking += choice.delta?.reasoning ?? '';
      text += choice.delta?.content ?? '';
      tools.add(choice.delta?.tool_calls);
      if (choice.finish_reason) {
        finishReason = choice.finish_reason;
        nativeFinishReason = (choice as { native_finish_reason?: string | null }).native_finish_reason;
      }
    }
  }
  const calls = tools.drain();
  const content: AnthropicResponseBlock[] = [
    ...(thinking !== '' ? [{ type: 'thinking' as const, thinking, signature: thinkingSignature(thinking) }] : []),
    ...(text !== '' ? [{ type: 'text' as const, text }] : []),
    ...calls.map((call) => ({ type: 'tool_use' as const, id: call.id, name: call.name, input: toToolInput(call.arguments) })),
  ];
  return {
    id: options.id,
    type: 'message',
    role: 'assistant',
    model: options.model,
    content,
    stop_reason: toAnthropicStopReason(finishReason, nativeFinishReason, calls.length > 0),
    stop_sequence: null,
    usage: { input_tokens: inputTokens, output_tokens: outputTokens },
  };
}
