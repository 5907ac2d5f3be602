import type { ChatContentPart, ChatMessage, ChatMessageToolCall } from '../../chat/wire.ts';
import { sniffImageMime } from '../images.ts';
import { placeToolImages } from '../tool-images.ts';
import type { OllamaMessage, OllamaToolCall } from './types.ts';

/** A call made by the latest assistant message, waiting for its tool result. */
interface PendingCall {
  id: string;
  name: string;
  answered: boolean;
}

/** OpenAI content for a user turn: plain text, or text and image parts when images are attached. */
export function toOpenAIUserContent(text: string, images: string[] | undefined): string | ChatContentPart[] {
  if (!images || images.length === 0) return text;
  const parts: ChatContentPart[] = text === '' ? [] : [{ type: 'text', text }];
  for (const image of images) {
    parts.push({ type: 'image_url', image_url: { url: `data:${sniffImageMime(image)};base64,${image}` } });
  }
  return parts;
}

function toOpenAIToolCall(call: OllamaToolCall, messageIndex: number, callIndex: number): ChatMessageToolCall {
  return {
    // OpenAI needs an id to pair results with calls; Ollama clients often omit it. Deterministic ids
    // keep the converted history stable from one request to the next (good for prompt caching).
    id: call.id || `call_${messageIndex}_${callIndex}`,
    type: 'function',
    function: { name: call.function.name, arguments: JSON.stringify(call.function.arguments) },
  };
}

function toOpenAIAssistantMessage(message: OllamaMessage, messageIndex: number): ChatMessage {
  const content = message.content ?? '';
  const calls = message.tool_calls ?? [];
  // `thinking` is dropped on purpose: reasoning is not sent back to the upstream.
  if (calls.length === 0) return { role: 'assistant', content };
  return {
    role: 'assistant',
    // OpenAI's own shape for a tool-calling turn without text is `content: null`.
    content: content === '' ? null : content,
    tool_calls: calls.map((call, callIndex) => toOpenAIToolCall(call, messageIndex, callIndex)),
  };
}

/**
 * The call a tool result answers, among the latest assistant message's unanswered calls: the one
 * with its `tool_call_id`, else the first with its `tool_name`, else simply the next one in order.
 */
function findAnsweredCall(message: OllamaMessage, pending: PendingCall[]): PendingCall | undefined {
  const open = pending.filter((call) => !call.answered);
  return (
    (message.tool_call_id ? open.find((call) => call.id === message.tool_call_id) : undefined) ??
    (message.tool_name ? open.find((call) => call.name === message.tool_name) : undefined) ??
    open[0]
  );
}

function toOpenAIToolMessage(message: OllamaMessage, pending: PendingCall[]): ChatMessage {
  const content = message.content ?? '';
  const call = findAnsweredCall(message, pending);
  if (call) {
    call.answered = true;
    return { role: 'tool', content, tool_call_id: call.id };
  }
  // OpenAI-style upstreams reject a tool message that answers no preceding call, so an orphan
  // result is passed on as a user message: the model still sees it, and the request stays valid.
  const source = message.tool_name ? ` (${message.tool_name})` : '';
  return { role: 'user', content: toOpenAIUserContent(`Tool result${source}: ${content}`, message.images) };
}

/**
 * OpenAI chat messages from an Ollama history: images become data-URL parts (a tool message's images
 * follow the tool results as user content), tool calls get ids and string arguments, and every tool
 * result is paired with the assistant call it answers.
 */
export function toOpenAIMessages(messages: OllamaMessage[]): ChatMessage[] {
  let pending: PendingCall[] = [];
  const toolImages = new Map<ChatMessage, ChatContentPart[]>();
  const converted = messages.map((message, index): ChatMessage => {
    switch (message.role) {
      case 'assistant': {
        const converted = toOpenAIAssistantMessage(message, index);
        pending = (converted.tool_calls ?? []).map((call) => ({ id: call.id, name: call.function.name, answered: false }));
        return converted;
      }
      case 'tool': {
        const result = toOpenAIToolMessage(message, pending);
        // A tool's images (a screenshot, a file it read) go upstream after the tool messages.
        if (result.role === 'tool' && message.images !== undefined && message.images.length > 0) toolImages.set(result, toOpenAIUserContent('', message.images) as ChatContentPart[]);
        return result;
      }
      case 'user':
        return { role: 'user', content: toOpenAIUserContent(message.content ?? '', message.images) };
      default:
        // Only user turns can carry images upstream; the validator has already limited roles to
        // system/user/assistant/tool, so what is left here is a system message.
        return { role: 'system', content: message.content ?? '' };
    }
  });
  return placeToolImages(converted, (message) => toolImages.get(message));
}
