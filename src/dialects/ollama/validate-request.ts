import { aBoolean, anObject, aNumber, arrayOf, aString, badRequest, isPlainObject, objectOf, optional, refine, reject, requireBody, required, withDefault } from '../field-validators.ts';
import type { Validator } from '../field-validators.ts';
import { isBase64, stripImageDataUrl } from '../images.ts';
import type { OllamaChatRequest, OllamaGenerateRequest, OllamaThink } from './types.ts';
import { ollamaOptions } from './validate-options.ts';
import { parseKeepAlive } from './to-ollama.ts';

const ROLES = ['system', 'user', 'assistant', 'tool'];
const THINK_LEVELS = ['low', 'medium', 'high', 'max'];

// Ollama lower-cases the role before checking it.
const role = refine(required(aString), (value, where) => {
  const lowered = value.toLowerCase();
  return ROLES.includes(lowered) ? lowered : reject(where, `one of ${ROLES.join(', ')}`);
});

const base64Image: Validator<string> = (value, where) => {
  const data = typeof value === 'string' ? stripImageDataUrl(value) : '';
  return isBase64(data) ? data : reject(where, 'a base64 string');
};

// Ollama wants an object, but some clients send the OpenAI-style JSON string; we parse it for them.
const toolArguments: Validator<Record<string, unknown>> = (value, where) => {
  if (typeof value !== 'string') return anObject(value, where);
  if (value.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    badRequest(`${where} is not valid JSON`);
  }
  return isPlainObject(parsed) ? parsed : reject(where, 'an object');
};

const toolCall = objectOf({
  id: optional(aString),
  type: optional(aString),
  function: required(objectOf({
    index: optional(aNumber),
    name: required(aString),
    arguments: withDefault(toolArguments, () => ({})),
  })),
});

const message = objectOf({
  role,
  content: withDefault(aString, () => ''),
  thinking: optional(aString),
  images: optional(arrayOf(base64Image)),
  tool_calls: optional(arrayOf(toolCall)),
  tool_name: optional(aString),
  tool_call_id: optional(aString),
});

const think: Validator<OllamaThink | undefined> = (value) => {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && THINK_LEVELS.includes(value)) return value as OllamaThink;
  return badRequest(`invalid think value: ${JSON.stringify(value)}`);
};

const format: Validator<OllamaChatRequest['format']> = (value, where) => {
  if (value === undefined || value === null) return undefined;
  if (value === 'json' || value === '' || isPlainObject(value)) return value;
  return reject(where, '"json" or a JSON schema object');
};

const keepAlive: Validator<number | string | undefined> = (value, where) => {
  if (value === undefined || value === null || typeof value === 'number') return value ?? undefined;
  if (typeof value !== 'string') return reject(where, 'a number or a duration string');
  parseKeepAlive(value); // throws the 400 for a malformed duration
  return value;
};

// Fields /api/chat and /api/generate share.
const common = {
  model: required(aString),
  format,
  options: optional(ollamaOptions),
  stream: optional(aBoolean),
  keep_alive: keepAlive,
  think,
};

const chatRequest = objectOf({
  ...common,
  // A request without messages is Ollama's "load the model" call.
  messages: withDefault(arrayOf(message), () => []),
  tools: optional(arrayOf(anObject)),
});

const generateRequest = objectOf({
  ...common,
  prompt: withDefault(aString, () => ''),
  suffix: optional(aString),
  system: optional(aString),
  raw: optional(aBoolean),
  images: optional(arrayOf(base64Image)),
  // Read only to reproduce Ollama's raw-mode error; templates and contexts are never used.
  template: optional(aString),
  context: optional(arrayOf(aNumber)),
});

/** Checks an /api/chat body as Ollama does and returns a normalised copy (the input is untouched). */
export function validateChatRequest(body: unknown): OllamaChatRequest {
  return chatRequest(requireBody(body), '');
}

/** Checks an /api/generate body as Ollama does and returns a normalised copy (the input is untouched). */
export function validateGenerateRequest(body: unknown): OllamaGenerateRequest {
  const { template, context, ...request } = generateRequest(requireBody(body), '');
  if (request.raw && (request.system || template || (context && context.length > 0))) {
    badRequest('raw mode does not support template, system, or context');
  }
  return request;
}
