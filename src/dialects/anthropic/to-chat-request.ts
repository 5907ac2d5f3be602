import type { RequestNeeds } from '../../routing/model-router.ts';
import { isPlainObject, reject, requireBody } from '../field-validators.ts';
import type { ChatBody, ChatMessage, ChatRequest, ChatTool } from '../../chat/wire.ts';
import { placeSystemTurns } from './place-system-turns.ts';
import { toChatMessages, toSystemMessage } from './to-chat-messages.ts';

/** What a Messages request becomes: the chat body (minus the model, which routing picks) and what routing needs. */
export interface AnthropicChatPlan {
  requestedModel: string;
  stream: boolean;
  chat: ChatBody;
  needs: RequestNeeds;
  /** Types of server tools (web search and the like) that the proxy cannot run and left out. */
  droppedServerTools: string[];
}

/**
 * Validates a `POST /v1/messages` body and converts it to an OpenRouter chat request. A bad field
 * is a 400 that names it. `count_tokens` bodies carry no `max_tokens`, hence `requireMaxTokens`.
 */
export function toChatRequest(input: unknown, options: { requireMaxTokens?: boolean } = {}): AnthropicChatPlan {
  const body = requireBody(input);
  if (typeof body.model !== 'string' || body.model.trim() === '') reject('model', 'a non-empty string');
  if (options.requireMaxTokens !== false || body.max_tokens !== undefined) checkMaxTokens(body.max_tokens);
  if (body.stream !== undefined && typeof body.stream !== 'boolean') reject('stream', 'a boolean');
  const messages = [...toSystemMessage(body.system), ...placeSystemTurns(toChatMessages(body.messages))];
  // Nothing to answer (`content: []` turns, say): refused here rather than upstream, where it would still count against the daily free quota.
  if (options.requireMaxTokens !== false && !messages.some((message) => message.role !== 'system')) reject('messages', 'at least one message with content');
  const { tools, dropped } = toChatTools(body.tools);
  const thinking = toReasoning(body.thinking, body.output_config);
  const stream = body.stream === true;
  const chat: ChatBody = {
    messages,
    ...(typeof body.max_tokens === 'number' ? { max_tokens: body.max_tokens } : {}),
    ...(tools.length > 0 ? { tools, ...toToolChoice(body.tool_choice) } : {}),
    ...(thinking !== undefined ? { reasoning: thinking } : {}),
    ...sampling(body),
    ...toResponseFormat(body.output_config),
    // Both paths read an upstream stream, where usage arrives in a final chunk only when asked for.
    stream_options: { include_usage: true },
  };
  return {
    requestedModel: body.model,
    stream,
    chat,
    needs: {
      kind: 'chat',
      tools: tools.length > 0,
      vision: messages.some((m) => Array.isArray(m.content) && m.content.some((part) => part.type === 'image_url')),
      thinking: thinking !== undefined,
    },
    droppedServerTools: dropped,
  };
}

function checkMaxTokens(value: unknown): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) reject('max_tokens', 'a positive integer');
}

/** Client tools become function tools; typed server tools (`web_search_20250305`, ...) are dropped and reported. */
function toChatTools(tools: unknown): { tools: ChatTool[]; dropped: string[] } {
  if (tools === undefined || tools === null) return { tools: [], dropped: [] };
  if (!Array.isArray(tools)) return reject('tools', 'an array');
  const kept: ChatTool[] = [];
  const dropped = new Set<string>();
  tools.forEach((tool, i) => {
    if (!isPlainObject(tool)) reject(`tools[${i}]`, 'an object');
    if (tool.type !== undefined && tool.type !== null && tool.type !== 'custom') {
      dropped.add(String(tool.type));
      return;
    }
    if (typeof tool.name !== 'string' || tool.name === '') reject(`tools[${i}].name`, 'a non-empty string');
    if (!isPlainObject(tool.input_schema)) reject(`tools[${i}].input_schema`, 'an object');
    if (tool.description !== undefined && typeof tool.description !== 'string') reject(`tools[${i}].description`, 'a string');
    const description = typeof tool.description === 'string' ? { description: tool.description } : {};
    kept.push({ type: 'function', function: { name: tool.name, ...description, parameters: tool.input_schema } });
  });
  return { tools: kept, dropped: [...dropped] };
}

/** `tool_choice` → chat's `tool_choice` (and `parallel_tool_calls` when parallel use is disabled). */
function toToolChoice(choice: unknown): Pick<ChatRequest, 'tool_choice'> & { parallel_tool_calls?: boolean } {
  if (choice === undefined || choice === null) return {};
  if (!isPlainObject(choice)) return reject('tool_choice', 'an object');
  const parallel = choice.disable_parallel_tool_use === true ? { parallel_tool_calls: false } : {};
  switch (choice.type) {
    case 'auto':
      return { tool_choice: 'auto', ...parallel };
    case 'any':
      return { tool_choice: 'required', ...parallel };
    case 'none':
      return { tool_choice: 'none' };
    case 'tool':
      if (typeof choice.name !== 'string' || choice.name === '') reject('tool_choice.name', 'a non-empty string');
      return { tool_choice: { type: 'function', function: { name: choice.name } }, ...parallel };
    default:
      return reject('tool_choice.type', '"auto", "any", "tool" or "none"');
  }
}

const EFFORTS = new Set(['max', 'xhigh', 'high', 'medium', 'low', 'minimal']);

/**
 * `thinking` → OpenRouter `reasoning`: a budget becomes `max_tokens`; adaptive lets the model
 * choose, at `output_config.effort` when given (Claude Code sends `adaptive` with an effort).
 */
function toReasoning(thinking: unknown, outputConfig: unknown): ChatRequest['reasoning'] | undefined {
  if (thinking === undefined || thinking === null) return undefined;
  if (!isPlainObject(thinking)) return reject('thinking', 'an object');
  if (thinking.type === 'disabled') return undefined;
  // `between_tools` (think only between tool calls) has no OpenRouter counterpart: the model decides, as with adaptive.
  if (thinking.type === 'adaptive' || thinking.type === 'between_tools') {
    const effort = isPlainObject(outputConfig) ? outputConfig.effort : undefined;
    return typeof effort === 'string' && EFFORTS.has(effort) ? { effort: effort as 'medium' } : { enabled: true };
  }
  if (thinking.type !== 'enabled') return reject('thinking.type', '"enabled", "adaptive", "between_tools" or "disabled"');
  const budget = thinking.budget_tokens;
  if (typeof budget !== 'number' || !Number.isInteger(budget) || budget < 1) reject('thinking.budget_tokens', 'a positive integer');
  // OpenRouter's reasoning object takes a token budget as `max_tokens` (not declared on ReasoningConfig).
  return { max_tokens: budget } as ChatRequest['reasoning'];
}

/** `output_config.format` (structured output) → OpenRouter's `response_format` with the same JSON schema. */
function toResponseFormat(outputConfig: unknown): Pick<ChatRequest, 'response_format'> {
  if (outputConfig === undefined || outputConfig === null) return {};
  if (!isPlainObject(outputConfig)) return reject('output_config', 'an object');
  const format = outputConfig.format;
  if (format === undefined || format === null) return {};
  if (!isPlainObject(format) || format.type !== 'json_schema' || !isPlainObject(format.schema)) reject('output_config.format', 'a json_schema format with a schema object');
  return { response_format: { type: 'json_schema', json_schema: { name: 'output', schema: format.schema } } };
}

function sampling(body: Record<string, unknown>): Partial<ChatRequest> {
  const out: Partial<ChatRequest> = {};
  for (const field of ['temperature', 'top_p', 'top_k'] as const) {
    const value = body[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || !Number.isFinite(value)) reject(field, 'a number');
    out[field] = value;
  }
  const stops = body.stop_sequences;
  if (stops !== undefined && stops !== null) {
    if (!Array.isArray(stops) || !stops.every((stop) => typeof stop === 'string')) reject('stop_sequences', 'an array of strings');
    if (stops.length > 0) out.stop = stops;
  }
  // Checked but not forwarded: Claude Code puts its device and session ids in `metadata.user_id`,
  // which no free-model provider needs to see.
  if (body.metadata !== undefined && body.metadata !== null && !isPlainObject(body.metadata)) reject('metadata', 'an object');
  return out;
}
