// Images a tool returned (pi's `read` of a PNG, an Ollama tool message's `images`). Chat completions'
// tool messages carry text only, so the images follow the run of tool messages as one user message,
// as the Anthropic dialect does with a tool_result's images. A user message between an assistant's
// tool calls and their results would make the request invalid, hence "after the run".
import type { ChatContentPart, ChatMessage } from '../chat/wire.ts';

/** `messages` with each run of tool messages followed by a user message holding the images they returned. */
export function placeToolImages(messages: ChatMessage[], imagesOf: (message: ChatMessage) => ChatContentPart[] | undefined): ChatMessage[] {
  const out: ChatMessage[] = [];
  let pending: ChatContentPart[] = [];
  const flush = () => {
    if (pending.length > 0) out.push({ role: 'user', content: pending });
    pending = [];
  };
  for (const message of messages) {
    if (message.role !== 'tool') flush();
    out.push(message);
    if (message.role === 'tool') pending.push(...(imagesOf(message) ?? []));
  }
  flush();
  return out;
}
