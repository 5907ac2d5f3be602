// Reads one `chat.completion.chunk` whose shape chunk-shape.ts has already checked: what the answer
// events are made of, and nothing else.
import type { ToolCallFragment } from '../chat/tool-calls.ts';
import type { ChatChunk, UpstreamErrorBody, Usage } from '../chat/wire.ts';

/** What the proxy uses of one chunk. OpenRouter streams a single choice (`n` is not supported), so only the first is read. */
export interface ReadChunk {
  id?: string;
  model?: string;
  created?: number;
  usage?: Usage;
  text: string;
  /** `reasoning_content` (DeepSeek-style providers) or OpenRouter's own `reasoning`. */
  reasoning: string;
  toolCalls: ToolCallFragment[];
  finishReason?: string;
  nativeFinishReason?: string | null;
}

/** A chunk as it arrives: the declared fields, where `null` stands for absent (OpenAI-compatible servers send it). */
type WireChunk = ChatChunk & { created?: number; choices?: Array<NonNullable<ChatChunk['choices']>[number] & { native_finish_reason?: string | null; delta?: { reasoning_content?: string | null } | null }> };

/** The chunk's in-band error (top level, or in a choice), if it carries one. */
export function inBandError(chunk: ChatChunk): UpstreamErrorBody | undefined {
  return chunk.error ?? chunk.choices?.find((choice) => choice.error !== undefined && choice.error !== null)?.error ?? undefined;
}

/** Reads a well-formed chunk. */
export function readChunk(chunk: WireChunk): ReadChunk {
  const read: ReadChunk = { text: '', reasoning: '', toolCalls: [] };
  if (typeof chunk.id === 'string') read.id = chunk.id;
  if (typeof chunk.model === 'string') read.model = chunk.model;
  if (typeof chunk.created === 'number') read.created = chunk.created;
  if (chunk.usage !== undefined && chunk.usage !== null) read.usage = chunk.usage;
  const choice = chunk.choices?.[0];
  if (choice === undefined) return read;
  const delta = choice.delta ?? {};
  read.text = delta.content ?? '';
  read.reasoning = delta.reasoning_content || delta.reasoning || '';
  for (const call of delta.tool_calls ?? []) {
    read.toolCalls.push({
      ...(typeof call.index === 'number' ? { index: call.index } : {}),
      ...(call.id ? { id: call.id } : {}),
      ...(typeof call.function?.name === 'string' ? { name: call.function.name } : {}),
      ...(typeof call.function?.arguments === 'string' ? { arguments: call.function.arguments } : {}),
    });
  }
  if (choice.finish_reason) read.finishReason = choice.finish_reason;
  if (choice.native_finish_reason !== undefined) read.nativeFinishReason = choice.native_finish_reason;
  return read;
}
