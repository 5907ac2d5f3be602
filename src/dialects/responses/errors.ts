import { AccountLimitError, type ErrorReply, type HttpError } from '../../errors.ts';
import { toOpenAIError, toOpenAIErrorBody } from '../openai/errors.ts';
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

/**
 * The HTTP error of /v1/responses. The daily free-model cap lifts only at midnight, yet Codex retries
 * a plain 429 for as long as its Retry-After says ("Reconnecting… 1/5"). Codex stops at once on a 429
 * whose error type is `usage_limit_reached` (codex-rs api_bridge.rs), and shows its
 * `x-codex-promo-message` header as "You've hit your usage limit. <message>, or try again at <resets_at>."
 * The per-minute cap stays a plain 429: waiting for it is right.
 */
export function toResponsesError(error: HttpError): ErrorReply {
  if (!(error instanceof AccountLimitError) || error.scope !== 'free-daily') return toOpenAIError(error);
  // A header value is visible ASCII; Codex adds ", or try again at …" after it.
  const promo = error.message.replace(/[^\x20-\x7e]/g, '?').replace(/[.\s]+$/, '');
  const { error: body } = toOpenAIErrorBody(error);
  return {
    status: error.status,
    headers: { ...error.headers, 'x-codex-promo-message': promo },
    body: { error: { ...body, type: 'usage_limit_reached', code: 'usage_limit_reached', resets_at: Math.floor(error.resetAt / 1000) } },
  };
}

/** The `error` of a `response.failed` event: OpenAI's code for the status, and the message a client may see. */
export function toResponseError(error: HttpError): ResponseError {
  // The daily cap cannot be waited out: `insufficient_quota` is a code Codex does not retry.
  const code = error instanceof AccountLimitError && error.scope === 'free-daily' ? 'insufficient_quota' : CODE_BY_STATUS[error.status] ?? 'server_error';
  return { code, message: toOpenAIErrorBody(error).error.message };
}
