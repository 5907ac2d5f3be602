import type { RequestNeeds } from '../../routing/model-router.ts';
import { badRequest, isPlainObject } from '../field-validators.ts';
import type { ChatRequest, ReasoningConfig, ResponseFormat } from '../../chat/wire.ts';
import { toChatMessages } from './to-chat-messages.ts';
import { toChatToolChoice, toChatTools } from './to-chat-tools.ts';
import type { ResponseEcho, ResponsesTextFormat, ToolTarget } from './types.ts';

/** A validated /v1/responses request, as the chat request the router sends upstream. */
export interface ResponsesChatRequest {
  requestedModel: string;
  stream: boolean;
  /** The upstream request minus `model` (Omit would lose the named fields to ChatRequest's index signature). */
  chat: Partial<ChatRequest> & Pick<ChatRequest, 'messages'>;
  needs: RequestNeeds;
  /** Tool types that cannot be served and were left out (the handler warns once per type). */
  droppedTools: string[];
  /** Input item types for OpenAI's hosted tools that were left out. */
  skippedItems: string[];
  toolTargets: Map<string, ToolTarget>;
  echo: ResponseEcho;
}

const STATELESS = 'this server is stateless; send the whole input';
const EFFORTS = new Set(['max', 'xhigh', 'high', 'medium', 'low', 'minimal', 'none']);

function optionalNumber(body: Record<string, unknown>, field: string): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  return typeof value === 'number' && Number.isFinite(value) ? value : badRequest(`${field} must be a number`);
}

function maxOutputTokens(body: Record<string, unknown>): number | undefined {
  const value = optionalNumber(body, 'max_output_tokens');
  if (value !== undefined && (!Number.isInteger(value) || value < 1)) badRequest('max_output_tokens must be a positive integer');
  return value;
}

function reasoningOf(body: Record<string, unknown>): { effort?: string; summary?: string } | undefined {
  const reasoning = body.reasoning;
  if (reasoning === undefined || reasoning === null) return undefined;
  if (!isPlainObject(reasoning)) badRequest('reasoning must be an object');
  const effort = reasoning.effort ?? undefined;
  if (effort !== undefined && (typeof effort !== 'string' || !EFFORTS.has(effort))) badRequest(`reasoning.effort must be one of ${[...EFFORTS].join(', ')}`);
  return { ...(effort !== undefined ? { effort } : {}), ...(typeof reasoning.summary === 'string' ? { summary: reasoning.summary } : {}) };
}

// Effort decides; `summary` has no OpenRouter counterpart (the whole reasoning text comes back as the summary).
function toOpenRouterReasoning(reasoning: { effort?: string } | undefined): ReasoningConfig | undefined {
  if (reasoning === undefined) return undefined;
  return reasoning.effort === undefined ? { enabled: true } : { effort: reasoning.effort as ReasoningConfig['effort'] };
}

function textFormatOf(body: Record<string, unknown>): ResponsesTextFormat {
  const text = body.text;
  if (text === undefined || text === null) return { type: 'text' };
  if (!isPlainObject(text)) badRequest('text must be an object');
  const format = text.format;
  if (format === undefined || format === null) return { type: 'text' };
  if (!isPlainObject(format)) badRequest('text.format must be an object');
  if (format.type === 'text' || format.type === 'json_object') return { type: format.type };
  if (format.type !== 'json_schema') badRequest("text.format.type must be 'text', 'json_object' or 'json_schema'");
  if (!isPlainObject(format.schema)) badRequest('text.format.schema is required (a JSON schema object)');
  return { type: 'json_schema', name: typeof format.name === 'string' ? format.name : 'response', schema: format.schema, ...(typeof format.strict === 'boolean' ? { strict: format.strict } : {}) };
}

// No `strict` upstream: OpenAI's strict mode rejects schemas that lack `additionalProperties: false`.
function toResponseFormat(format: ResponsesTextFormat): ResponseFormat | undefined {
  if (format.type === 'json_object') return { type: 'json_object' };
  if (format.type === 'json_schema') return { type: 'json_schema', json_schema: { name: format.name ?? 'response', schema: format.schema } };
  return undefined;
}

function checkBody(body: unknown): Record<string, unknown> & { model: string } {
  if (body === undefined) badRequest('missing request body');
  if (!isPlainObject(body)) badRequest('request body must be a JSON object');
  if (typeof body.model !== 'string' || body.model.trim() === '') badRequest('model is required');
  if (body.previous_response_id !== undefined && body.previous_response_id !== null) badRequest(`previous_response_id is not supported: ${STATELESS}`);
  if (body.conversation !== undefined && body.conversation !== null) badRequest(`conversation is not supported: ${STATELESS}`);
  if (body.input === undefined || body.input === null) badRequest('input is required');
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') badRequest('stream must be a boolean');
  if (body.instructions !== undefined && body.instructions !== null && typeof body.instructions !== 'string') badRequest('instructions must be a string');
  if (body.parallel_tool_calls !== undefined && body.parallel_tool_calls !== null && typeof body.parallel_tool_calls !== 'boolean') badRequest('parallel_tool_calls must be a boolean');
  if (body.metadata !== undefined && body.metadata !== null && !isPlainObject(body.metadata)) badRequest('metadata must be an object');
  return body as Record<string, unknown> & { model: string };
}

function toEcho(request: Record<string, unknown>, fields: Pick<ResponseEcho, 'instructions' | 'temperature' | 'top_p' | 'max_output_tokens'> & { parallel: boolean | undefined; reasoning: { effort?: string; summary?: string } | undefined; format: ResponsesTextFormat }): ResponseEcho {
  const { parallel, reasoning, format, ...numbers } = fields;
  return {
    ...numbers,
    tools: Array.isArray(request.tools) ? request.tools : [],
    tool_choice: request.tool_choice ?? 'auto',
    parallel_tool_calls: parallel ?? true,
    reasoning: reasoning === undefined ? null : { effort: reasoning.effort ?? null, summary: reasoning.summary ?? null },
    text: { format },
    metadata: isPlainObject(request.metadata) ? request.metadata : {},
    // Nothing is kept, whatever the client asked for.
    store: false,
  };
}

/**
 * Validates a /v1/responses body (a 400 names the bad field) and converts it to the chat request sent
 * upstream. `store`, `include`, `prompt_cache_key`, `metadata`, `user` and `text.verbosity` are
 * accepted and have no upstream effect; `previous_response_id` is refused, as nothing is stored.
 */
export function toChatRequest(body: unknown): ResponsesChatRequest {
  const request = checkBody(body);
  const instructions = typeof request.instructions === 'string' ? request.instructions : undefined;
  const { messages, skippedItems } = toChatMessages(instructions, request.input);
  // Nothing to answer: refused here rather than upstream, where it would still count against the daily free quota.
  if (!messages.some((message) => message.role !== 'system')) badRequest('input must contain at least one item with content');
  const tools = toChatTools(request.tools);
  const reasoning = reasoningOf(request);
  const format = textFormatOf(request);
  const [temperature, topP, maxTokens] = [optionalNumber(request, 'temperature'), optionalNumber(request, 'top_p'), maxOutputTokens(request)];
  const hasTools = tools.tools.length > 0;
  const parallel = typeof request.parallel_tool_calls === 'boolean' ? request.parallel_tool_calls : undefined;
  const chat = Object.fromEntries(Object.entries({
    messages,
    stream_options: { include_usage: true },
    tools: hasTools ? tools.tools : undefined,
    tool_choice: toChatToolChoice(request.tool_choice, tools),
    parallel_tool_calls: hasTools ? parallel : undefined,
    reasoning: toOpenRouterReasoning(reasoning),
    response_format: toResponseFormat(format),
    max_tokens: maxTokens,
    temperature,
    top_p: topP,
  }).filter(([, value]) => value !== undefined)) as ResponsesChatRequest['chat'];
  const vision = messages.some((message) => Array.isArray(message.content) && message.content.some((part) => part.type === 'image_url'));
  return {
    requestedModel: request.model,
    stream: request.stream === true,
    chat,
    needs: { kind: 'chat', tools: hasTools, vision, thinking: reasoning !== undefined && reasoning.effort !== 'none' },
    droppedTools: tools.droppedTools,
    skippedItems,
    toolTargets: tools.targets,
    echo: toEcho(request, { instructions: instructions ?? null, temperature: temperature ?? null, top_p: topP ?? null, max_output_tokens: maxTokens ?? null, parallel, reasoning, format }),
  };
}
