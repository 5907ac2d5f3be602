// OpenRouter's error shape: {"error":{"code","message","metadata"?},"user_id"} with status = code.

export const USER_ID = 'user_fake';

export interface ErrorReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface ErrorObject {
  code: number;
  message: string;
  metadata?: Record<string, unknown>;
}

export const TOOL_USE_MESSAGE =
  'No endpoints found that support tool use. To learn more about provider routing, visit: https://openrouter.ai/docs/guides/routing/provider-selection';

const MESSAGES: Record<number, string> = {
  400: 'Invalid request parameters',
  401: 'User not found.',
  402: 'Insufficient credits. Add more using https://openrouter.ai/credits',
  403: 'Key limit exceeded (daily limit). Manage it using https://openrouter.ai/settings/keys',
  408: 'Operation timed out. Please try again later.',
  413: 'Request payload too large',
  422: 'Invalid argument',
  429: 'Rate limit exceeded',
  500: 'Internal Server Error',
  502: 'Provider returned error',
  503: 'Service temporarily unavailable',
  504: 'Request timed out. Please try again later.',
  524: 'Request timed out. Please try again later.',
  529: 'Provider returned error',
};

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request', 401: 'authentication', 402: 'payment_required', 403: 'permission_denied',
  404: 'not_found', 408: 'timeout', 413: 'payload_too_large', 422: 'unprocessable', 429: 'rate_limit_exceeded',
  500: 'server', 502: 'provider_unavailable', 503: 'provider_overloaded', 504: 'timeout', 524: 'timeout',
  529: 'provider_overloaded',
};

/** The message OpenRouter typically sends with a status when no better one is known. */
export function defaultMessage(status: number, modelId: string): string {
  if (status === 404) return `No endpoints found for ${modelId}.`;
  return MESSAGES[status] ?? 'Unknown error';
}

/** The typed `metadata.error_type` newer OpenRouter errors carry. */
export function errorType(status: number): string {
  return ERROR_TYPES[status] ?? 'unmapped';
}

/** Builds an error object, leaving `metadata` out when there is none. */
export function errorObject(code: number, message: string, metadata?: Record<string, unknown>): ErrorObject {
  return metadata === undefined ? { code, message } : { code, message, metadata };
}

/** Serialises the top-level error body with the `user_id` real errors carry. */
export function errorBodyText(error: ErrorObject): string {
  return JSON.stringify({ error, user_id: USER_ID });
}

/** A complete pre-response error: status equals the code, JSON body, optional extra headers. */
export function errorReply(
  status: number,
  message: string,
  metadata?: Record<string, unknown>,
  headers: Record<string, string> = {},
): ErrorReply {
  return { status, headers, body: errorBodyText(errorObject(status, message, metadata)) };
}
