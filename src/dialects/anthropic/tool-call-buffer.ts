import { createToolCallBuffer as createSharedBuffer } from '../../chat/tool-calls.ts';
import type { ToolCallDelta } from '../../chat/wire.ts';

/** One tool call assembled from its stream fragments, with an id. */
export interface BufferedToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** The shared fragment buffer, with an id made up for calls whose provider sent none. */
export function createToolCallBuffer(newId: (index: number) => string) {
  const buffer = createSharedBuffer();
  return {
    add(deltas: readonly ToolCallDelta[] | undefined): void {
      buffer.add(deltas ?? []);
    },
    get size(): number {
      return buffer.size;
    },
    /** The calls in index order, emptying the buffer. */
    drain(): BufferedToolCall[] {
      return buffer.take().map((call) => ({ id: call.id || newId(call.index), name: call.name, arguments: call.arguments }));
    },
  };
}

/** Parses a call's arguments into the object Anthropic's `input` must be; empty or non-object JSON gives `{}`. */
export function toToolInput(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    // A model that wrote broken JSON: the client gets an empty input rather than a failed message.
    return {};
  }
}
