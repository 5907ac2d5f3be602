// Tool calls arrive in fragments (id and name first, then the arguments in pieces, possibly
// interleaved across calls). This is the one assembler: it turns fragments into answer events, so
// that no dialect ever sees a fragment.
import type { AnswerEvent, AnswerToolCall } from './answer.ts';

/** One fragment of a tool call, as a provider streams it; every field may be missing. */
export interface ToolCallFragment {
  index?: number;
  id?: string;
  name?: string;
  arguments?: string;
}

export interface ToolCallAssembler {
  /** Adds one fragment; returns the events it produces (a start once the name is known, deltas after it). */
  add(fragment: ToolCallFragment): AnswerEvent[];
  /** Ends every open call, in index order, and forgets them. */
  end(): AnswerEvent[];
}

interface OpenCall extends AnswerToolCall {
  started: boolean;
}

/** Builds an assembler that keys calls by index, or by id for providers that send none (see `callIndex`). */
export function createToolCallAssembler(): ToolCallAssembler {
  // Most answers call no tool: the map is made for the first fragment (a thousand open streams each keep one).
  let calls: Map<number, OpenCall> | undefined;
  return {
    add(fragment) {
      calls ??= new Map();
      const index = callIndex(calls, fragment);
      let call = calls.get(index);
      if (call === undefined) {
        call = { index, name: '', arguments: '', started: false };
        calls.set(index, call);
      }
      if (fragment.id) call.id ??= fragment.id;
      if (fragment.name && call.name === '') call.name = fragment.name;
      const delta = fragment.arguments ?? '';
      call.arguments += delta;
      // A call starts once its name is known: a client cannot show (or route) a nameless call, and
      // the arguments that came before the name are sent with the start.
      if (!call.started) return call.name === '' ? [] : start(call, call.arguments);
      return delta === '' ? [] : [{ type: 'tool-call-delta', index, arguments: delta }];
    },
    end() {
      const events: AnswerEvent[] = [];
      if (calls === undefined) return events;
      for (const call of [...calls.values()].sort((a, b) => a.index - b.index)) {
        if (!call.started) events.push(...start(call, call.arguments));
        const { started: _started, ...whole } = call;
        events.push({ type: 'tool-call-end', call: whole });
      }
      calls.clear();
      return events;
    },
  };
}

function start(call: OpenCall, pending: string): AnswerEvent[] {
  call.started = true;
  const events: AnswerEvent[] = [{ type: 'tool-call-start', index: call.index, ...(call.id !== undefined ? { id: call.id } : {}), name: call.name }];
  if (pending !== '') events.push({ type: 'tool-call-delta', index: call.index, arguments: pending });
  return events;
}

/**
 * The call a fragment belongs to. OpenRouter always sends `index`; some OpenAI-compatible providers
 * leave it out, and then a new id starts a new call while a fragment without one continues the
 * latest call.
 */
function callIndex(calls: Map<number, OpenCall>, fragment: ToolCallFragment): number {
  if (typeof fragment.index === 'number') return fragment.index;
  for (const [index, call] of calls) if (fragment.id !== undefined && call.id === fragment.id) return index;
  const latest = Math.max(-1, ...calls.keys());
  return fragment.id !== undefined || latest === -1 ? latest + 1 : latest;
}
