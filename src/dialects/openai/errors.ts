import { publicMessage, type ErrorReply, type HttpError } from '../../errors.ts';

const TYPE_BY_STATUS: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'insufficient_quota',
  403: 'permission_error',
  404: 'not_found_error',
  405: 'invalid_request_error',
  413: 'invalid_request_error',
  429: 'rate_limit_error',
};

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: null; code: string | null };
}

/** OpenAI's error body: `{"error": {"message", "type", "param", "code"}}`. */
export function toOpenAIErrorBody(error: HttpError): OpenAIErrorBody {
  return { error: { message: publicMessage(error), type: TYPE_BY_STATUS[error.status] ?? 'api_error', param: null, code: null } };
}

/** OpenAI's error: the status as it is, with OpenAI's body. */
export function toOpenAIError(error: HttpError): ErrorReply {
  return { status: error.status, headers: error.headers, body: toOpenAIErrorBody(error) };
}
