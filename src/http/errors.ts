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

export type ErrorShape = 'ollama' | 'openai';

/** Normalises anything thrown into an HttpError, hiding the details of unexpected failures. */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  return new HttpError(500, 'internal server error', { expose: false, cause: error });
}

function publicMessage(error: HttpError): string {
  return error.expose ? error.message : 'internal server error';
}

/** Ollama's error body: `{"error": "..."}`. */
export function toOllamaErrorBody(error: HttpError): { error: string } {
  return { error: publicMessage(error) };
}

const OPENAI_TYPE_BY_STATUS: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'insufficient_quota',
  403: 'permission_error',
  404: 'not_found_error',
  405: 'invalid_request_error',
  413: 'invalid_request_error',
  429: 'rate_limit_error',
};

/** OpenAI's error body: `{"error": {"message", "type", "param", "code"}}`. */
export function toOpenAIErrorBody(error: HttpError): { error: { message: string; type: string; param: null; code: string | null } } {
  return {
    error: {
      message: publicMessage(error),
      type: OPENAI_TYPE_BY_STATUS[error.status] ?? 'api_error',
      param: null,
      code: null,
    },
  };
}

/** The error body for a given API shape. */
export function toErrorBody(error: HttpError, shape: ErrorShape): unknown {
  return shape === 'openai' ? toOpenAIErrorBody(error) : toOllamaErrorBody(error);
}
