// Tool calls arrive in fragments (id and name first, then the arguments in pieces); every dialect
// needs them whole, or at least knows which call a fragment belongs to.
import type { ToolCallDelta } from './wire.ts';

/** A tool call assembled from its fragments. */
export interface AssembledToolCall {
  /** The upstream's index for the call. */
  index: number;
  id?: string;
  name: string;
  arguments: string;
}

export interface ToolCallBuffer {
  /** Adds fragments; returns, for each, the index of the call it belongs to. */
  add(deltas: readonly ToolCallDelta[]): number[];
  /** The calls so far in index order, and forgets them. */
  take(): AssembledToolCall[];
  readonly size: number;
}

/** Buffers tool-call fragments keyed by index. */
export function createToolCallBuffer(): ToolCallBuffer {
  const calls = new Map<number, AssembledToolCall>();
  return {
    add(deltas) {
      return deltas.map((delta) => {
        const index = bufferIndex(calls, delta);
        const call = calls.get(index) ?? { index, name: '', arguments: '' };
        if (delta.id) call.id = delta.id;
        if (delta.function?.name) call.name = call.name === '' ? delta.function.name : call.name;
        if (delta.function?.arguments) call.arguments += delta.function.arguments;
        calls.set(index, call);
        return index;
      });
    },
    take() {
      const ordered = [...calls.values()].sort((a, b) => a.index - b.index);
      calls.clear();
      return ordered;
    },
    get size() {
      return calls.size;
    },
  };
}

/**
 * The buffer a fragment belongs to. OpenRouter always sends `index`; some OpenAI-compatible
 * providers leave it out, and then a new id starts a new call while a fragment without one
 * continues the latest call.
 */
function bufferIndex(calls: Map<number, AssembledToolCall>, delta: ToolCallDelta): number {
  if (typeof delta.index === 'number') return delta.index;
  const known = [...calls.entries()].find(([, call]) => delta.id !== undefined && call.id === delta.id);
  if (known !== undefined) return known[0];
  const latest = Math.max(-1, ...calls.keys());
  return delta.id !== undefined || latest === -1 ? latest + 1 : latest;
}
