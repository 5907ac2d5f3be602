import type { ChatBody } from './to-chat-request.ts';

/**
 * The chat body for one candidate model. Anthropic clients send `max_tokens` as a ceiling (Claude
 * Code always asks for 128,000), but many providers reject a request whose prompt plus
 * `max_tokens` exceeds the model's context, and that 400 would stop the fallback. A ceiling that
 * cannot fit is dropped, so the provider's own limit applies; one that fits is kept as it is.
 * `estimatedInputTokens` is count-tokens' estimate, so the check is approximate by design.
 */
export function fitToModel(chat: ChatBody, contextLength: number, estimatedInputTokens: number): ChatBody {
  if (chat.max_tokens === undefined || contextLength <= 0 || estimatedInputTokens + chat.max_tokens <= contextLength) return chat;
  const { max_tokens: _dropped, ...rest } = chat;
  return rest;
}
