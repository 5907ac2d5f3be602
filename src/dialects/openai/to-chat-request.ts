import type { RequestNeeds } from '../../routing/model-router.ts';
import { badRequest, isPlainObject, missing, reject, requireBody } from '../field-validators.ts';

export type OpenAIBody = Record<string, unknown> & { model: string };

/** Checks a /v1/chat/completions (`messages`) or /v1/completions (`prompt`) body. */
export function validateOpenAIBody(body: unknown, field: 'messages' | 'prompt'): OpenAIBody {
  const fields = requireBody(body);
  if (typeof fields.model !== 'string' || fields.model.trim() === '') missing('model');
  if (field === 'messages') {
    if (!Array.isArray(fields.messages)) reject('messages', 'an array');
    // OpenAI's own wording for an empty list.
    if (fields.messages.length === 0) badRequest("[] is too short - 'messages'");
    if (!fields.messages.every(isPlainObject)) reject('messages', 'an array of objects');
  } else if (typeof fields.prompt !== 'string' && !(Array.isArray(fields.prompt) && fields.prompt.every((p) => typeof p === 'string'))) {
    reject('prompt', 'a string');
  }
  if (fields.stream !== undefined && typeof fields.stream !== 'boolean') reject('stream', 'a boolean');
  return fields as OpenAIBody;
}

/** What a /v1 request needs from a model: tools, image input, and (a preference) reasoning. */
export function openAINeeds(body: Record<string, unknown>): RequestNeeds {
  const messages = Array.isArray(body.messages) ? (body.messages as Array<{ content?: unknown }>) : [];
  return {
    kind: 'chat',
    tools: Array.isArray(body.tools) && body.tools.length > 0,
    vision: messages.some((message) => Array.isArray(message.content) && message.content.some((part) => (part as { type?: unknown })?.type === 'image_url')),
    thinking: wantsReasoning(body),
  };
}

// OpenRouter's `reasoning` object, the `reasoning_effort` shorthand, or legacy `include_reasoning`.
function wantsReasoning(body: Record<string, unknown>): boolean {
  const reasoning = body.reasoning as { enabled?: unknown; effort?: unknown; exclude?: unknown } | undefined;
  if (reasoning !== undefined && reasoning !== null) return reasoning.enabled !== false && reasoning.effort !== 'none';
  if (typeof body.reasoning_effort === 'string') return body.reasoning_effort !== 'none';
  return body.include_reasoning === true;
}

// OpenRouter fields that pick other models (`models`, `route`) would bypass the proxy's routing: the
// filter, TOOL_USE_ONLY and, in free mode, would fall back to a paid model and bill it. In free mode
// the paid add-ons (`plugins` such as web search, `web_search_options`) go too.
const ROUTING_FIELDS = ['models', 'route'];
const PAID_FIELDS = ['plugins', 'web_search_options'];

/** The client's request minus fields that would override the proxy's model choice (and, in free mode, cost money). */
export function forwardable(body: Record<string, unknown>, freeMode: boolean): Record<string, unknown> {
  const dropped = freeMode ? [...ROUTING_FIELDS, ...PAID_FIELDS] : ROUTING_FIELDS;
  if (!dropped.some((field) => field in body)) return body;
  const copy = { ...body };
  for (const field of dropped) delete copy[field];
  return copy;
}
