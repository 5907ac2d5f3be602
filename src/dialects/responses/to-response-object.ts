import type { CollectedAnswer } from '../../chat/answer.ts';
import { messageItem, reasoningItem, responseObject, toFinalStatus, toolCallIdPrefix, toolCallItem, toResponsesUsage } from './output-items.ts';
import type { OutputItem, ResponseContext } from './types.ts';

/**
 * The non-stream `response` object, built from the whole answer: one reasoning item, one message
 * item and one item per tool call, in that order, each only when present.
 */
export function toResponseObject(context: ResponseContext, answer: CollectedAnswer) {
  const output: OutputItem[] = [];
  if (answer.reasoning !== '') output.push(reasoningItem(context.newId('rs'), answer.reasoning));
  if (answer.text !== '') output.push(messageItem(context.newId('msg'), answer.text, 'completed'));
  for (const call of answer.toolCalls) {
    const ids = { id: context.newId(toolCallIdPrefix(context, call.name)), callId: call.id ?? context.newId('call') };
    output.push(toolCallItem(context, { ...ids, name: call.name, arguments: call.arguments }, 'completed'));
  }
  return responseObject(context, { ...toFinalStatus(answer.finishReason), output, usage: toResponsesUsage(answer.usage) });
}
