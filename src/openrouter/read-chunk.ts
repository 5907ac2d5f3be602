// Reads one parsed `chat.completion.chunk` defensively: the upstream is another program, and a chunk
// of the wrong shape must end the answer with an error that names it, never with a TypeError.
import type { ToolCallFragment } from '../chat/tool-calls.ts';
import type { UpstreamErrorBody, Usage } from '../chat/wire.ts';

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

export type ChunkReading = { kind: 'chunk'; chunk: ReadChunk } | { kind: 'error'; error: UpstreamErrorBody } | { kind: 'malformed'; what: string };

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const describe = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value);
const optionalString = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** Reads a chunk: its content, or its in-band error (top level or in a choice), or what is wrong with it. */
export function readChunk(json: unknown): ChunkReading {
  if (!isObject(json)) return { kind: 'malformed', what: `a chunk that is ${describe(json)}, not an object` };
  if (json.error !== undefined && json.error !== null) return { kind: 'error', error: toErrorBody(json.error) };
  const choices = json.choices ?? [];
  if (!Array.isArray(choices)) return { kind: 'malformed', what: `choices is ${describe(choices)}, not a list` };
  for (const [index, choice] of choices.entries()) {
    if (!isObject(choice)) return { kind: 'malformed', what: `choices[${index}] is ${describe(choice)}` };
    if (choice.error !== undefined && choice.error !== null) return { kind: 'error', error: toErrorBody(choice.error) };
  }
  const chunk: ReadChunk = { text: '', reasoning: '', toolCalls: [] };
  if (typeof json.id === 'string') chunk.id = json.id;
  if (typeof json.model === 'string') chunk.model = json.model;
  if (typeof json.created === 'number') chunk.created = json.created;
  if (isObject(json.usage)) chunk.usage = json.usage as Usage;
  const choice = choices[0] as Json | undefined;
  if (choice === undefined) return { kind: 'chunk', chunk };
  const problem = readChoice(choice, chunk);
  return problem === undefined ? { kind: 'chunk', chunk } : { kind: 'malformed', what: problem };
}

// Fills `chunk` from one choice; returns what is malformed about it, if anything.
function readChoice(choice: Json, chunk: ReadChunk): string | undefined {
  const delta = choice.delta ?? {};
  if (!isObject(delta)) return `choices[0].delta is ${describe(delta)}`;
  chunk.text = optionalString(delta.content) ?? '';
  chunk.reasoning = optionalString(delta.reasoning_content) || optionalString(delta.reasoning) || '';
  const calls = delta.tool_calls ?? [];
  if (!Array.isArray(calls)) return `choices[0].delta.tool_calls is ${describe(calls)}, not a list`;
  for (const [index, call] of calls.entries()) {
    if (!isObject(call)) return `choices[0].delta.tool_calls[${index}] is ${describe(call)}`;
    const fn = call.function ?? {};
    if (!isObject(fn)) return `choices[0].delta.tool_calls[${index}].function is ${describe(fn)}`;
    chunk.toolCalls.push({
      ...(typeof call.index === 'number' ? { index: call.index } : {}),
      ...(typeof call.id === 'string' && call.id !== '' ? { id: call.id } : {}),
      ...(typeof fn.name === 'string' ? { name: fn.name } : {}),
      // A few providers send the arguments as an object rather than JSON text.
      ...(fn.arguments === undefined || fn.arguments === null ? {} : { arguments: typeof fn.arguments === 'string' ? fn.arguments : JSON.stringify(fn.arguments) }),
    });
  }
  if (typeof choice.finish_reason === 'string' && choice.finish_reason !== '') chunk.finishReason = choice.finish_reason;
  if (typeof choice.native_finish_reason === 'string' || choice.native_finish_reason === null) chunk.nativeFinishReason = choice.native_finish_reason;
  return undefined;
}

function toErrorBody(error: unknown): UpstreamErrorBody {
  if (isObject(error)) return error as UpstreamErrorBody;
  return { message: typeof error === 'string' ? error : JSON.stringify(error) };
}
