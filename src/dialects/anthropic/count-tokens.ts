import type { ChatRequest } from '../../chat/wire.ts';

// The proxy has no tokenizer for the model that will answer (routing may pick any of several), so
// `count_tokens` answers with an estimate, documented here and in the README:
// - text (message text, tool-call arguments, thinking, and each tool's JSON definition): one
//   token per 4 characters, rounded up; the common rule of thumb for English and code;
// - each message: 3 tokens of framing (role and separators);
// - each image: 1,600 tokens, Anthropic's figure for a full-size (~1.15 megapixel) image.
// It errs high rather than low for typical images, which is the safe side for context budgeting.
const CHARS_PER_TOKEN = 4;
const TOKENS_PER_MESSAGE = 3;
const TOKENS_PER_IMAGE = 1600;

/** Estimates the input tokens of a converted chat request (see the rules above). */
export function estimateInputTokens(chat: Pick<ChatRequest, 'messages' | 'tools'>): number {
  let chars = 0;
  let images = 0;
  for (const message of chat.messages) {
    if (typeof message.content === 'string') chars += message.content.length;
    for (const part of Array.isArray(message.content) ? message.content : []) {
      if (part.type === 'text') chars += part.text.length;
      else images++;
    }
    for (const call of message.tool_calls ?? []) chars += call.function.name.length + call.function.arguments.length;
    chars += message.reasoning?.length ?? 0;
  }
  for (const tool of chat.tools ?? []) chars += JSON.stringify(tool.function).length;
  return Math.ceil(chars / CHARS_PER_TOKEN) + chat.messages.length * TOKENS_PER_MESSAGE + images * TOKENS_PER_IMAGE;
}
