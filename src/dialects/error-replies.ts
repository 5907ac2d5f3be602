import type { ErrorReply, HttpError } from '../errors.ts';
import { toOllamaError } from './ollama/errors.ts';
import { toOpenAIError } from './openai/errors.ts';

export type ErrorShape = 'ollama' | 'openai';

const ERROR_REPLY: Record<ErrorShape, (error: HttpError) => ErrorReply> = {
  ollama: toOllamaError,
  openai: toOpenAIError,
};

/** The API whose error shape a path speaks: OpenAI's under /v1, Ollama's elsewhere. */
export function errorShapeForPath(path: string): ErrorShape {
  return path === '/v1' || path.startsWith('/v1/') ? 'openai' : 'ollama';
}

/** An error in the shape of the API that `path` belongs to. */
export function errorReplyForPath(path: string, error: HttpError): ErrorReply {
  return ERROR_REPLY[errorShapeForPath(path)](error);
}
