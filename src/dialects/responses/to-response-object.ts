import type { Usage } from '../../chat/wire.ts';
import type { ChatPart } from '../../chat/parts.ts';
import { createToolCallBuffer } from '../../chat/tool-calls.ts';
import { messageItem, reasoningItem, responseObject, toFinalStatus, toolCallIdPrefix, toolCallItem, toResponsesUsage } from './output-items.ts';
import type { OutputItem, ResponseContext } from './types.ts';

/**
 * The non-stream `response` object, built straight from a collected upstream stream: one reasoning
 * item, one message item and one item per tool call, in that order, each only when present.
 * (routeChatCollected has already turned an error part into a thrown error.)
 */
export function toResponseObject(context: ResponseContext, parts: readonly ChatPart[]) {
  let reasoning = '';
  let content = '';
  let finishReason: string | null | undefined;
  let usage: Usage | undefined;
  const calls = createToolCallBuffer();
  for (const part of parts) {
    if (part.type !== 'chunk') continue;
    if (part.chunk.usage !== undefined) usage = part.chunk.usage;
    const choice = part.chunk.choices?.[0];
    reasoning += choice?.delta?.reasoning ?? '';
    content += choice?.delta?.content ?? '';
    calls.add(choice?.delta?.tool_calls ?? []);
    if (choice?.finish_reason) finishReason = choice.finish_reason;
  }
  const output: OutputItem[] = [];
  if (reasoning !== '') output.push(reasoningItem(context.newId('rs'), reasoning));
  if (content !== '') output.push(messageItem(context.newId('msg'), content, 'completed'));
  for (const call of calls.take()) {
    const ids = { id: context.newId(toolCallIdPrefix(context, call.name)), callId: call.id ?? context.newId('call') };
    output.push(toolCallItem(context, { ...ids, name: call.name, arguments: call.arguments }, 'completed'));
  }
  return responseObject(context, { ...toFinalStatus(finishReason), output, usage: toResponsesUsage(usage) });
}
