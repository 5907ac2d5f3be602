import type { ErrorReply, HttpError } from '../errors.ts';
import { toAnthropicError } from './anthropic/errors.ts';
import { toOllamaError } from './ollama/errors.ts';
import { toOpenAIError } from './openai/errors.ts';
import { toResponsesError } from './responses/errors.ts';

export type ErrorShape = 'ollama' | 'openai' | 'anthropic' | 'responses';

const ERROR_REPLY: Record<ErrorShape, (error: HttpError) => ErrorReply> = {
  ollama: toOllamaError,
  openai: toOpenAIError,
  anthropic: toAnthropicError,
  responses: toResponsesError,
};

/**
 * The API whose error shape a request speaks: Anthropic's on /v1/messages (and for Anthropic
 * clients, which send `anthropic-version`, anywhere under /v1), OpenAI's elsewhere under /v1 (with
 * the Responses API's own reading of the daily cap on /v1/responses), Ollama's everywhere else.
 */
export function errorShapeForPath(path: string, anthropicClient = false): ErrorShape {
  if (path === '/v1/messages' || path.startsWith('/v1/messages/')) return 'anthropic';
  if (path === '/v1/responses' && !anthropicClient) return 'responses';
  if (path === '/v1' || path.startsWith('/v1/')) return anthropicClient ? 'anthropic' : 'openai';
  return 'ollama';
}

/** An error in the shape of the API that a request (its path and headers) belongs to. */
export function errorReplyForPath(path: string, error: HttpError, headers: Record<string, unknown> = {}): ErrorReply {
  return ERROR_REPLY[errorShapeForPath(path, headers['anthropic-version'] !== undefined)](error);
}
