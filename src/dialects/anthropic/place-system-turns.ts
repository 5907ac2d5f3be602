// Claude Code 2.1.33x puts `system` turns inside `messages` (an environment block, the model's name, the
// tokens left), and they change from turn to turn. Folded into the leading system message they would
// change the prompt's prefix every turn and defeat the provider's prefix caching, so the leading system
// message is the request's `system` alone and each later system turn stays where it occurred.
import type { ChatMessage } from '../../chat/wire.ts';

/**
 * `messages` with one exception to "where it occurred": a system turn between an assistant's tool calls
 * and their results moves to just after the results, since chat completions wants the tool messages
 * right after the call (Anthropic puts the results in the next user turn, so this only happens when a
 * system turn sits between those two turns).
 */
export function placeSystemTurns(messages: ChatMessage[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  let held: ChatMessage[] = [];
  for (const message of messages) {
    const last = out[out.length - 1];
    const awaitingResults = last !== undefined && (last.role === 'tool' || (last.role === 'assistant' && (last.tool_calls?.length ?? 0) > 0));
    if (message.role === 'system' && awaitingResults) {
      held.push(message);
      continue;
    }
    if (message.role !== 'tool' && held.length > 0) {
      out.push(...held);
      held = [];
    }
    out.push(message);
  }
  return [...out, ...held];
}
