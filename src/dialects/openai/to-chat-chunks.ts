// OpenAI chat shapes for an answer that did not come from OpenRouter (the proxy's own: a session
// title). The /v1 relay writes OpenRouter's chunks as they came; such an answer has none, so its
// events are spelled as the chunks and the completion OpenRouter would have sent.
import type { AnswerEvent, CollectedAnswer } from '../../chat/answer.ts';
import type { ChatCompletion } from '../../chat/wire.ts';
import type { Answer } from '../../serving/dialect.ts';

/** What every chunk of one answer repeats. */
export interface ChunkFrame {
  id: string;
  created: number;
  model: string;
}

/** The frame of an answer: its model, and an id and time of its own. */
export function chunkFrame(answer: Answer): ChunkFrame {
  const created = Math.floor(answer.clock.wall() / 1000);
  return { id: `gen-local-${created}`, created, model: answer.model.id };
}

/** One event as a `chat.completion.chunk`'s JSON; events that write nothing give undefined. */
export function toChatChunkData(event: AnswerEvent, frame: ChunkFrame): string | undefined {
  const chunk = (delta: Record<string, unknown>, finish: string | null = null, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ ...frame, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }], ...extra });
  switch (event.type) {
    case 'text':
      return chunk({ role: 'assistant', content: event.text });
    case 'reasoning':
      return chunk({ role: 'assistant', content: '', reasoning: event.text });
    case 'tool-call-start':
      return chunk({ role: 'assistant', tool_calls: [{ index: event.index, ...(event.id !== undefined ? { id: event.id } : {}), type: 'function', function: { name: event.name, arguments: '' } }] });
    case 'tool-call-delta':
      return chunk({ tool_calls: [{ index: event.index, function: { arguments: event.arguments } }] });
    case 'finish':
      return chunk({}, event.reason, event.usage !== undefined ? { usage: event.usage } : {});
    default:
      return undefined;
  }
}

/** A whole answer as one `chat.completion`. */
export function toChatCompletion(answer: CollectedAnswer, frame: ChunkFrame): ChatCompletion {
  const calls = answer.toolCalls.map((call) => ({ id: call.id ?? `call_${call.index}`, type: 'function' as const, function: { name: call.name, arguments: call.arguments } }));
  const message = { role: 'assistant', content: answer.text, ...(answer.reasoning !== '' ? { reasoning: answer.reasoning } : {}), ...(calls.length > 0 ? { tool_calls: calls } : {}) };
  return { ...frame, object: 'chat.completion', choices: [{ index: 0, message, finish_reason: answer.finishReason }], ...(answer.usage !== undefined ? { usage: answer.usage } : {}) } as ChatCompletion;
}
