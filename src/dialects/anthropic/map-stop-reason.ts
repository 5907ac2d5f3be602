import type { AnthropicStopReason } from './types.ts';

/**
 * OpenRouter's `finish_reason` → Anthropic's `stop_reason`. A message that called tools stops for
 * `tool_use` whatever the provider said, since some providers report `stop` after tool calls.
 * Chat completions cannot tell a stop sequence from a natural end, unless the provider's native
 * reason says so.
 */
export function toAnthropicStopReason(finishReason: string | null | undefined, nativeFinishReason: string | null | undefined, calledTools: boolean): AnthropicStopReason {
  if (calledTools || finishReason === 'tool_calls') return 'tool_use';
  if (finishReason === 'length') return 'max_tokens';
  if (finishReason === 'content_filter') return 'refusal';
  if (nativeFinishReason === 'stop_sequence') return 'stop_sequence';
  return 'end_turn';
}
