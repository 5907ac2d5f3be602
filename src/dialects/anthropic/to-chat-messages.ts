import { isPlainObject, reject } from '../field-validators.ts';
import type { ChatContentPart, ChatMessage, ChatMessageToolCall } from '../../chat/wire.ts';

// Anthropic history → OpenRouter chat messages. Anthropic keeps tool calls and their results inside
// ordinary turns as blocks; chat completions wants `tool_calls` on the assistant message and one
// `tool` message per result, so a user turn may become several messages.

/** Block types that report a server tool's work (web search and the like); the proxy ran none of them, so they are dropped. */
const SERVER_TOOL_BLOCK = /^(server_tool_use|.*_tool_result|mcp_tool_use|container_upload)$/;

/** `system` (a string or text blocks) → a system message, or nothing when it is empty. */
export function toSystemMessage(system: unknown, where = 'system'): ChatMessage[] {
  if (system === undefined || system === null) return [];
  const text = typeof system === 'string' ? system : textOfBlocks(system, where);
  return text === '' ? [] : [{ role: 'system', content: text }];
}

/** Converts the validated-on-the-way `messages` array; throws a 400 naming the first bad field. */
export function toChatMessages(messages: unknown): ChatMessage[] {
  if (!Array.isArray(messages)) reject('messages', 'an array');
  if (messages.length === 0) reject('messages', 'a non-empty array');
  return messages.flatMap((message, i) => {
    const where = `messages[${i}]`;
    if (!isPlainObject(message)) reject(where, 'an object');
    // Claude Code's per-turn-control beta puts `system` turns between the others.
    if (message.role === 'system') return toSystemMessage(message.content ?? '', `${where}.content`);
    if (message.role !== 'user' && message.role !== 'assistant') reject(`${where}.role`, '"user", "assistant" or "system"');
    const blocks = toBlocks(message.content, `${where}.content`);
    return message.role === 'user' ? fromUserBlocks(blocks, where) : [fromAssistantBlocks(blocks, where)];
  });
}

type Block = Record<string, unknown> & { type: string };

function toBlocks(content: unknown, where: string): Block[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) reject(where, 'a string or an array of content blocks');
  return content.map((block, j) => {
    if (!isPlainObject(block) || typeof block.type !== 'string') reject(`${where}[${j}]`, 'a content block with a type');
    return block as Block;
  });
}

function fromUserBlocks(blocks: Block[], where: string): ChatMessage[] {
  const toolMessages: ChatMessage[] = [];
  const parts: ChatContentPart[] = [];
  blocks.forEach((block, j) => {
    const at = `${where}.content[${j}]`;
    if (block.type === 'tool_result') {
      const result = fromToolResult(block, at);
      toolMessages.push(result.message);
      // Chat completions' tool messages carry text only; a result's images follow as user content.
      parts.push(...result.images);
    } else {
      const part = toContentPart(block, at);
      if (part !== undefined) parts.push(part);
    }
  });
  if (parts.length === 0) return toolMessages;
  const content = parts.every((part) => part.type === 'text') ? parts.map((part) => (part as { text: string }).text).join('\n') : parts;
  return [...toolMessages, { role: 'user', content }];
}

function fromAssistantBlocks(blocks: Block[], where: string): ChatMessage {
  let text = '';
  let reasoning = '';
  const toolCalls: ChatMessageToolCall[] = [];
  blocks.forEach((block, j) => {
    const at = `${where}.content[${j}]`;
    if (block.type === 'text') text += textOf(block, at);
    else if (block.type === 'thinking') reasoning += typeof block.thinking === 'string' ? block.thinking : '';
    else if (block.type === 'tool_use') toolCalls.push(toToolCall(block, at));
    // redacted_thinking is encrypted for Anthropic's models only: no other model can read it.
    else if (block.type !== 'redacted_thinking' && !SERVER_TOOL_BLOCK.test(block.type)) reject(`${at}.type`, 'text, thinking, redacted_thinking or tool_use in an assistant turn');
  });
  return {
    role: 'assistant',
    content: text === '' && toolCalls.length > 0 ? null : text,
    ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
    ...(reasoning !== '' ? { reasoning } : {}),
  };
}

function toContentPart(block: Block, at: string): ChatContentPart | undefined {
  if (block.type === 'text') return { type: 'text', text: textOf(block, at) };
  if (block.type === 'image') return { type: 'image_url', image_url: { url: imageUrl(block.source, `${at}.source`) } };
  // Thinking sent back inside a user turn carries nothing the model needs; never fail on it.
  if (block.type === 'thinking' || block.type === 'redacted_thinking' || SERVER_TOOL_BLOCK.test(block.type)) return undefined;
  if (block.type === 'document' && isPlainObject(block.source) && block.source.type === 'text' && typeof block.source.data === 'string') {
    return { type: 'text', text: block.source.data };
  }
  return reject(`${at}.type`, 'text, image, tool_result or a plain-text document in a user turn');
}

function fromToolResult(block: Block, at: string): { message: ChatMessage; images: ChatContentPart[] } {
  if (typeof block.tool_use_id !== 'string' || block.tool_use_id === '') reject(`${at}.tool_use_id`, 'a non-empty string');
  const content = block.content === undefined ? [] : toBlocks(block.content, `${at}.content`);
  const texts: string[] = [];
  const images: ChatContentPart[] = [];
  content.forEach((inner, k) => {
    const part = toContentPart(inner, `${at}.content[${k}]`);
    if (part?.type === 'text') texts.push(part.text);
    else if (part !== undefined) images.push(part);
  });
  const text = texts.join('\n');
  // Chat completions has no error flag on tool results: say it in the text the model reads.
  const shown = block.is_error === true ? `Error: ${text}` : text;
  return { message: { role: 'tool', tool_call_id: block.tool_use_id, content: shown }, images };
}

function toToolCall(block: Block, at: string): ChatMessageToolCall {
  if (typeof block.id !== 'string' || block.id === '') reject(`${at}.id`, 'a non-empty string');
  if (typeof block.name !== 'string' || block.name === '') reject(`${at}.name`, 'a non-empty string');
  if (block.input !== undefined && !isPlainObject(block.input)) reject(`${at}.input`, 'an object');
  return { id: block.id, type: 'function', function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) } };
}

function imageUrl(source: unknown, at: string): string {
  if (!isPlainObject(source)) return reject(at, 'an image source object');
  if (source.type === 'base64') {
    if (typeof source.media_type !== 'string' || typeof source.data !== 'string') reject(at, 'a base64 source with media_type and data');
    return `data:${source.media_type};base64,${source.data}`;
  }
  if (source.type === 'url' && typeof source.url === 'string') return source.url;
  return reject(`${at}.type`, '"base64" or "url"');
}

function textOf(block: Block, at: string): string {
  if (typeof block.text !== 'string') reject(`${at}.text`, 'a string');
  return block.text;
}

function textOfBlocks(value: unknown, where: string): string {
  if (!Array.isArray(value)) reject(where, 'a string or an array of text blocks');
  return value.map((block, i) => {
    if (!isPlainObject(block) || block.type !== 'text' || typeof block.text !== 'string') reject(`${where}[${i}]`, 'a text block');
    return block.text;
  }).join('\n');
}
