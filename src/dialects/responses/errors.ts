import type { HttpError } from '../../errors.ts';
import { toOpenAIErrorBody } from '../openai/errors.ts';
import type { ResponseError } from './types.ts';

// A request that fails before the stream starts is answered like any /v1 error (the router picks
// OpenAI's shape for /v1 paths). Once the stream has started, the failure travels inside it as
// `response.failed`, whose `error.code` is one of OpenAI's codes: Codex retries `server_error` and
// `rate_limit_exceeded` (reading "try again in Ns" from the message) and gives up on the others.
const CODE_BY_STATUS: Record<number, string> = {
  400: 'invalid_prompt',
  401: 'invalid_api_key',
  402: 'insufficient_quota',
  403: 'invalid_api_key',
  404: 'model_not_found',
  413: 'context_length_exceeded',
  429: 'rate_limit_exceeded',
};

/** The HTTP error body of /v1/responses: OpenAI's `{"error": {message, type, param, code}}`. */
export const toResponsesErrorBody = toOpenAIErrorBody;

/** The `error` of a `response.failed` event: OpenAI's code for the status, and the message a client may see. */
export function toResponseError(error: HttpError): ResponseError {
  return { code: CODE_BY_STATUS[error.status] ?? 'server_error', message: toOpenAIErrorBody(error).error.message };
}
