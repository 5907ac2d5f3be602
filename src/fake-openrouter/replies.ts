/*
 * Deterministic replies of the fake OpenRouter. `last` is the text of the last message that is not a
 * `system` message (string content, or its text parts joined with "\n"; Claude Code appends per-turn
 * system notes after the user's turn, and a model answers the turn, not the note); directives are read from the
 * last `user` message. The first matching rule wins:
 *
 * 1. Last message has role `tool`          → content "Tool result: " + last.
 * 2. `tools` given and last role is `user` → a call to the first tool (or the first N with
 *    `[tools=N]`), finish_reason `tool_calls`, content null. Ids are `call_` + 24 alnum.
 *    Arguments set every property of `parameters.properties`: string → the last user text,
 *    number/integer → 42, boolean → true, anything else → null. Streams send each call as a
 *    fragment with id/type/name and arguments "", then the arguments in up to 3 pieces.
 *    Tool directives, found anywhere in the last user message's text parts (agent CLIs such as
 *    Claude Code and Codex send dozens of tools and wrap the prompt in extra text blocks):
 *    - `[tool=NAME]` → one call to the tool named NAME instead of the first tool (NAME is
 *      called even when it is not among `tools`, to play a model that invents a tool);
 *    - `[args={...json...}]` → exactly these arguments (compact JSON; kept verbatim when they
 *      do not parse, to play malformed arguments) for that call, or for the first call;
 *    - several `[tool=NAME][args={...}]` pairs → parallel calls, one per pair, in order.
 *    When the tool result comes back (last role `tool`), rule 1 answers, so a loop ends.
 * 3. `[chunks=N]` in the last user text      → exactly N content chunks "tok0 ", "tok1 ", ...
 * 4. response_format json_schema on a model with `structured_outputs` → a compact JSON object with
 *    every property of the schema set as tool arguments are (string → last, ...), or {"echo": last}
 *    when the schema lists no properties; json_object on a model with `response_format` →
 *    {"echo": last}. A model without the parameter ignores it, as OpenRouter's endpoints do, and
 *    rule 5 answers in prose.
 * 5. Otherwise                               → "Echo: " + last, or "Hello from <model id>"
 *    when last is blank.
 *
 * Content is streamed in word-sized pieces that keep their leading spaces ("Echo:", " hi").
 * Reasoning (model lists `reasoning` and the request asks via `reasoning` with enabled !== false,
 * effort !== 'none' and exclude !== true, `include_reasoning: true` or `reasoning_effort`)
 * comes first as "Thinking about: " + last, in word pieces.
 * `max_tokens`/`max_completion_tokens` N cuts content after N pieces with finish_reason `length`.
 * `[delay=MS]` waits MS between chunks (non-streamed replies wait MS per chunk in total).
 * Usage: prompt_tokens = words in all messages; completion_tokens = chunks sent (reasoning,
 * content and tool-call fragments); reasoning_tokens = reasoning chunks.
 */
import { countWords, lastUserText, messageText, requestTools } from './request.ts';
import type { ChatMessage, ChatRequest, ChatTool } from './request.ts';
import { argsDirective, toolCallDirectives, toolNameDirective } from './tool-directives.ts';
import type { FakeModel } from './types.ts';

export type Piece =
  | { kind: 'content'; text: string }
  | { kind: 'reasoning'; text: string }
  | { kind: 'tool-start'; index: number; id: string; name: string }
  | { kind: 'tool-args'; index: number; text: string };

export interface PlannedToolCall {
  id: string;
  name: string;
  arguments: string;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls';

export interface ReplyPlan {
  pieces: Piece[];
  content: string | null;
  reasoning: string | null;
  toolCalls: PlannedToolCall[];
  finishReason: FinishReason;
  delayMs: number;
  promptTokens: number;
  completionTokens: number;
  reasoningTokens: number;
}

/** Splits text into word pieces that keep their leading whitespace, so joining restores it. */
export function splitWords(text: string): string[] {
  return text.match(/\s*\S+|\s+$/g) ?? [];
}

function directive(text: string, name: string): number | undefined {
  const match = new RegExp(`\\[${name}=(\\d+)\\]`).exec(text);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

function wantsReasoning(request: ChatRequest, model: FakeModel): boolean {
  if (!model.supported_parameters.includes('reasoning')) return false;
  const r = request.reasoning;
  if (typeof r === 'object' && r !== null) return r.enabled !== false && r.effort !== 'none' && r.exclude !== true;
  if (request.include_reasoning === true) return true;
  return typeof request.reasoning_effort === 'string' && request.reasoning_effort !== 'none';
}

function sampleValue(type: unknown, userText: string): unknown {
  const t = Array.isArray(type) ? type.find((x) => x !== 'null') : type;
  if (t === 'string') return userText;
  if (t === 'number' || t === 'integer') return 42;
  if (t === 'boolean') return true;
  return null;
}

function toolArguments(tool: ChatTool, userText: string): string {
  const props = tool.function?.parameters?.properties;
  const args: Record<string, unknown> = {};
  if (typeof props === 'object' && props !== null) {
    for (const [name, schema] of Object.entries(props)) args[name] = sampleValue(schema?.type, userText);
  }
  return JSON.stringify(args);
}

// Up to three pieces, like providers that flush arguments every few tokens.
function thirds(text: string): string[] {
  const size = Math.max(1, Math.ceil(text.length / 3));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function planToolCalls(tools: ChatTool[], userText: string, newCallId: () => string): PlannedToolCall[] {
  const several = toolCallDirectives(userText);
  if (several.length > 1) {
    return several.map(({ name, args }) => {
      const tool = tools.find((candidate) => candidate.function?.name === name) ?? { type: 'function', function: { name } };
      return { id: newCallId(), name, arguments: args ?? toolArguments(tool, userText) };
    });
  }
  const named = toolNameDirective(userText);
  const chosen = named === undefined
    ? tools.slice(0, Math.max(1, directive(userText, 'tools') ?? 1))
    : [tools.find((tool) => tool.function?.name === named) ?? { type: 'function', function: { name: named } }];
  const args = argsDirective(userText);
  return chosen.map((tool, index) => ({
    id: newCallId(),
    name: tool.function?.name ?? 'tool',
    arguments: index === 0 && args !== undefined ? args : toolArguments(tool, userText),
  }));
}

function toolPieces(calls: PlannedToolCall[]): Piece[] {
  return calls.flatMap((call, index): Piece[] => [
    { kind: 'tool-start', index, id: call.id, name: call.name },
    ...thirds(call.arguments).map((text): Piece => ({ kind: 'tool-args', index, text })),
  ]);
}

function contentText(request: ChatRequest, model: FakeModel, last: string): string {
  const format = request.response_format;
  const supports = (parameter: string) => model.supported_parameters.includes(parameter);
  if (format?.type === 'json_schema' && supports('structured_outputs')) {
    const properties = format.json_schema?.schema?.properties;
    return properties === undefined ? JSON.stringify({ echo: last }) : toolArguments({ function: { parameters: { properties } } }, last);
  }
  if (format?.type === 'json_object' && supports('response_format')) return JSON.stringify({ echo: last });
  return last.trim() === '' ? `Hello from ${model.id}` : `Echo: ${last}`;
}

function contentPieces(request: ChatRequest, model: FakeModel, last: string, userText: string): string[] {
  const chunks = directive(userText, 'chunks');
  if (chunks !== undefined) return Array.from({ length: chunks }, (_, i) => `tok${i} `);
  return splitWords(contentText(request, model, last));
}

/** Decides the whole reply to a validated chat request, before any byte is sent. */
export function planReply(request: ChatRequest, model: FakeModel, newCallId: () => string): ReplyPlan {
  const messages = request.messages;
  const lastMessage = (messages.findLast((message) => message.role !== 'system') ?? messages[messages.length - 1]) as ChatMessage;
  const last = messageText(lastMessage.content);
  const userText = lastUserText(messages);
  const reasoning = wantsReasoning(request, model) ? splitWords(`Thinking about: ${last}`) : [];
  const pieces: Piece[] = reasoning.map((text) => ({ kind: 'reasoning', text }));
  const tools = requestTools(request);
  let toolCalls: PlannedToolCall[] = [];
  let content: string | null = null;
  let finishReason: FinishReason = 'stop';
  if (tools.length > 0 && lastMessage.role === 'user') {
    toolCalls = planToolCalls(tools, userText, newCallId);
    pieces.push(...toolPieces(toolCalls));
    finishReason = 'tool_calls';
  } else {
    let words = lastMessage.role === 'tool' ? splitWords(`Tool result: ${last}`) : contentPieces(request, model, last, userText);
    const limit = request.max_tokens ?? request.max_completion_tokens;
    if (typeof limit === 'number' && limit >= 1 && words.length > limit) {
      words = words.slice(0, limit);
      finishReason = 'length';
    }
    content = words.join('');
    for (const text of words) pieces.push({ kind: 'content', text });
  }
  return {
    pieces,
    content,
    reasoning: reasoning.length > 0 ? reasoning.join('') : null,
    toolCalls,
    finishReason,
    delayMs: directive(userText, 'delay') ?? 0,
    promptTokens: messages.reduce((sum, m) => sum + countWords(messageText(m.content)), 0),
    completionTokens: pieces.length,
    reasoningTokens: reasoning.length,
  };
}
