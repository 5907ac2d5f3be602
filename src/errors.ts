// The error types every layer shares. This module imports nothing, so any layer may use it.

/** The one error type that crosses module boundaries: a status and a message that is safe to show. */
export class HttpError extends Error {
  override name = 'HttpError';
  readonly status: number;
  /** False for internal failures whose message must not reach the client. */
  readonly expose: boolean;
  readonly headers: Record<string, string>;

  constructor(status: number, message: string, options: { expose?: boolean; headers?: Record<string, string>; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.status = status;
    this.expose = options.expose ?? (status < 500 || status === 502 || status === 503 || status === 504);
    this.headers = options.headers ?? {};
  }
}

/** Normalises anything thrown into an HttpError, hiding the details of unexpected failures. */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  return new HttpError(500, 'internal server error', { expose: false, cause: error });
}

/** The message a client may see: the error's own, or a generic one for internal failures. */
export function publicMessage(error: HttpError): string {
  return error.expose ? error.message : 'internal server error';
}

/**
 * How a failed attempt affects routing:
 * - `rate-limit`: this model is throttled; cool it down and try another.
 * - `daily-cap` / `minute-cap`: the account's free-model quota; no other free model can help.
 * - `gone`: the model no longer exists upstream (free period ended, no endpoints).
 * - `unsupported`: this model cannot serve this request (tools, images); try another, no cooldown.
 * - `moderation`: a 403 moderation refusal of this request's content by this model's provider; try
 *   another, no cooldown (it concerns the request, not the model).
 * - `fatal`: no model could succeed (bad key, no credits, key limit, malformed request).
 * - `transient`: 5xx, network, broken stream, timeout; cool down and try another.
 */
export type FailureClass = 'rate-limit' | 'daily-cap' | 'minute-cap' | 'gone' | 'unsupported' | 'moderation' | 'fatal' | 'transient';

/** An upstream failure, carrying the status and message the client should see and its routing class. */
export class UpstreamError extends HttpError {
  override name = 'UpstreamError';
  readonly failure: FailureClass;
  /** When the upstream said the limit lifts (epoch ms), from Retry-After or X-RateLimit-Reset. */
  readonly retryAt: number | undefined;
  /** The provider OpenRouter names as the one that failed (`metadata.provider_name`), when it does. */
  readonly provider: string | undefined;

  constructor(status: number, message: string, failure: FailureClass, options: { retryAt?: number; provider?: string; cause?: unknown } = {}) {
    super(status, message, { expose: true, cause: options.cause });
    this.failure = failure;
    this.retryAt = options.retryAt;
    this.provider = options.provider;
  }
}

/**
 * OpenRouter's account-wide free-model limit is in force: `free-daily` lifts at midnight UTC, `free-minute`
 * within a minute. Clients that retry on 429 should stop at once on the daily one (see the Responses dialect).
 */
export class AccountLimitError extends HttpError {
  override name = 'AccountLimitError';
  readonly scope: 'free-daily' | 'free-minute';
  /** When the limit lifts, epoch ms. */
  readonly resetAt: number;

  constructor(scope: 'free-daily' | 'free-minute', resetAt: number, message: string, headers: Record<string, string>) {
    super(429, message, { headers });
    this.scope = scope;
    this.resetAt = resetAt;
  }
}

/** An error as one client API spells it: the status, headers and body to send. */
export interface ErrorReply {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}
