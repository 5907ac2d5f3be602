import type { ErrorReply, HttpError } from '../../errors.ts';
import type { AnthropicErrorBody, AnthropicErrorType } from './types.ts';

// Anthropic's documented error types, by HTTP status. 529 is Anthropic's own "overloaded"; the
// proxy's 503 (nothing can serve right now) means the same to a client, which retries both.
const TYPE_BY_STATUS: Record<number, AnthropicErrorType> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  405: 'invalid_request_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  503: 'overloaded_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

/** The Anthropic error type for an HTTP status; anything unlisted is `api_error`. */
export function toAnthropicErrorType(status: number): AnthropicErrorType {
  return TYPE_BY_STATUS[status] ?? (status >= 400 && status < 500 ? 'invalid_request_error' : 'api_error');
}

/** Anthropic's error body, `{"type":"error","error":{"type","message"}}`; internal failures keep their details hidden. */
export function toAnthropicErrorBody(error: HttpError): AnthropicErrorBody {
  return { type: 'error', error: { type: toAnthropicErrorType(error.status), message: error.expose ? error.message : 'internal server error' } };
}

/** Anthropic's error: the status as it is (retry-after kept), with Anthropic's body. */
export function toAnthropicError(error: HttpError): ErrorReply {
  return { status: error.status, headers: error.headers, body: toAnthropicErrorBody(error) };
}
