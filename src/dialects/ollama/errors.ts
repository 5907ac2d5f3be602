import { publicMessage, type ErrorReply, type HttpError } from '../../errors.ts';

/** Ollama's error: the status as it is, and `{"error": "..."}`. */
export function toOllamaError(error: HttpError): ErrorReply {
  return { status: error.status, headers: error.headers, body: { error: publicMessage(error) } };
}
