import { HttpError } from '../../errors.ts';
import type { RequestNeeds } from '../../routing/model-router.ts';
import { isPlainObject } from '../field-validators.ts';

export type OpenAIBody = Record<string, unknown> & { model: string };

/** Checks a /v1/chat/completions (`messages`) or /v1/completions (`prompt`) body. */
export function validateOpenAIBody(body: unknown, field: 'messages' | 'prompt'): OpenAIBody {
  if (body === undefined) throw new HttpError(400, 'missing request body');
  if (!isPlainObject(body)) throw new HttpError(400, 'request body must be a JSON object');
  if (typeof body.model !== 'string' || body.model.trim() === '') throw new HttpError(400, 'model is required');
  if (field === 'messages') {
    if (!Array.isArray(body.messages)) throw new HttpError(400, 'messages must be an array');
    if (body.messages.length === 0) throw new HttpError(400, "[] is too short - 'messages'");
    if (!body.messages.every(isPlainObject)) throw new HttpError(400, 'messages must be an array of objects');
  } else if (typeof body.prompt !== 'string' && !(Array.isArray(body.prompt) && body.prompt.every((p) => typeof p === 'string'))) {
    throw new HttpError(400, 'prompt must be a string');
  }
  if (body.stream !== undefined && typeof body.stream !== 'boolean') throw new HttpError(400, 'stream must be a boolean');
  return body as OpenAIBody;
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
