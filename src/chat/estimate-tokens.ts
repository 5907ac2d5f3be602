// The one token estimate the proxy makes of a chat request: for Anthropic's `count_tokens` and
// `message_start`, and for routing (which models can hold a prompt, and whether `max_tokens` fits).
// The proxy has no tokenizer for the model that will answer (routing may pick any of several), so:
// - text (message text, tool-call arguments, reasoning, and each tool's JSON definition): one token
//   per 4 characters, rounded up; the common rule of thumb for English and code;
// - each message: 3 tokens of framing (role and separators);
// - each image: 1,600 tokens, Anthropic's figure for a full-size (~1.15 megapixel) image.
// Real tokenizers differ. English prose runs to about 5 characters a token on recent tokenizers,
// code and JSON to about 3, and an image costs from 85 tokens (OpenAI, low detail) up. So the
// estimate comes with the range it is honest about: `atLeast` counts 5 characters a token and 85 per
// image, `atMost` 3 characters a token and 1,600 per image. Scripts with few characters per token
// (Chinese, Japanese) can exceed `atMost`; that shows up as an upstream context error, not a skip.
// This module imports nothing but types: any layer may use it.
import type { ChatBody } from './wire.ts';

/** A request's size in tokens: the estimate, and the range the true count is expected to fall in. */
export interface TokenEstimate {
  tokens: number;
  atLeast: number;
  atMost: number;
}

const TOKENS_PER_MESSAGE = 3;
const IMAGE_TOKENS = { estimate: 1600, least: 85, most: 1600 };
const CHARS_PER_TOKEN = { estimate: 4, least: 5, most: 3 };
const IMAGE_PART_TYPES = new Set(['image_url', 'image', 'input_image']);

/** Estimates the input tokens of a chat request (see the rules above); tolerant of any message shape a client relays. */
export function estimateTokens(chat: Pick<ChatBody, 'messages' | 'tools'>): TokenEstimate {
  let chars = 0;
  let images = 0;
  const messages: unknown[] = Array.isArray(chat.messages) ? chat.messages : [];
  for (const message of messages) {
    const counted = countMessage(message);
    chars += counted.chars;
    images += counted.images;
  }
  for (const tool of Array.isArray(chat.tools) ? chat.tools : []) chars += JSON.stringify((tool as { function?: unknown }).function ?? tool ?? '').length;
  const framing = messages.length * TOKENS_PER_MESSAGE;
  return {
    tokens: Math.ceil(chars / CHARS_PER_TOKEN.estimate) + framing + images * IMAGE_TOKENS.estimate,
    atLeast: Math.floor(chars / CHARS_PER_TOKEN.least) + framing + images * IMAGE_TOKENS.least,
    atMost: Math.ceil(chars / CHARS_PER_TOKEN.most) + framing + images * IMAGE_TOKENS.most,
  };
}

function countMessage(message: unknown): { chars: number; images: number } {
  if (typeof message !== 'object' || message === null) return { chars: 0, images: 0 };
  const { content, tool_calls: calls, reasoning } = message as { content?: unknown; tool_calls?: unknown; reasoning?: unknown };
  let chars = typeof reasoning === 'string' ? reasoning.length : 0;
  let images = 0;
  if (typeof content === 'string') chars += content.length;
  for (const part of Array.isArray(content) ? content : []) {
    const { type, text } = (part ?? {}) as { type?: unknown; text?: unknown };
    if (typeof text === 'string') chars += text.length;
    else if (typeof type === 'string' && IMAGE_PART_TYPES.has(type)) images++;
    // Anything else (audio, files): its JSON, which at least grows with it.
    else chars += JSON.stringify(part ?? '').length;
  }
  for (const call of Array.isArray(calls) ? calls : []) {
    const fn = (call as { function?: { name?: unknown; arguments?: unknown } })?.function;
    chars += (typeof fn?.name === 'string' ? fn.name.length : 0) + (typeof fn?.arguments === 'string' ? fn.arguments.length : 0);
  }
  return { chars, images };
}
