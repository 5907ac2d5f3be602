import type { IncomingMessage } from 'node:http';
import { HttpError } from '../errors.ts';

// Real requests nest a dozen levels at most (a JSON schema inside a tool inside a list); anything
// far deeper is an attack on code that walks the tree recursively.
const MAX_JSON_DEPTH = 64;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Reads a request body's bytes, refusing more than `maxBytes`; undefined when empty. A refused body
 * is left unread, not destroyed: the caller answers, then discards the rest (see discard-body.ts).
 */
export function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.reject(tooLarge(maxBytes));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const stop = (): void => {
      request.off('data', onData).off('end', onEnd).off('error', onGone).off('close', onGone);
    };
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received <= maxBytes) return void chunks.push(chunk);
      stop();
      chunks.length = 0;
      reject(tooLarge(maxBytes));
    };
    const onEnd = (): void => {
      stop();
      resolve(received === 0 ? undefined : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received));
    };
    // The client went away (or node timed it out) half-way through its body: its fault, not a 500.
    const onGone = (cause?: unknown): void => {
      stop();
      reject(new HttpError(499, 'client closed the connection while sending the body', { cause }));
    };
    request.on('data', onData).once('end', onEnd).once('error', onGone).once('close', onGone);
  });
}

/**
 * Reads a web request's body (the app called without a socket), refusing more than `maxBytes`,
 * whether the length was declared or not; undefined when empty.
 */
export async function readWebBody(body: ReadableStream<Uint8Array> | null, declaredLength: string | undefined, maxBytes: number): Promise<Uint8Array | undefined> {
  const declared = Number(declaredLength);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  if (body === null) return undefined;
  const chunks: Uint8Array[] = [];
  let received = 0;
  try {
    for await (const chunk of body) {
      received += chunk.length;
      if (received > maxBytes) throw tooLarge(maxBytes);
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof HttpError) throw error;
    // The client went away half-way through its body: its fault, not a 500.
    throw new HttpError(499, 'client closed the connection while sending the body', { cause: error });
  }
  if (received === 0) return undefined;
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received);
}

/** Parses a body as JSON whatever its Content-Type, as Ollama does; undefined when empty. */
export function parseJsonBody(bytes: Uint8Array | undefined): unknown {
  if (bytes === undefined) return undefined;
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new HttpError(400, 'request body is not valid UTF-8');
  }
  return parseJson(text);
}

/** Parses JSON text with leading/trailing whitespace allowed, rejecting absurd nesting. */
export function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, `invalid JSON in request body: ${(error as Error).message}`);
  }
  if (jsonDepthExceeds(value, MAX_JSON_DEPTH)) {
    throw new HttpError(400, `request body is nested more than ${MAX_JSON_DEPTH} levels deep`);
  }
  return value;
}

// Iterative, so that the check itself cannot overflow the stack on hostile input.
function jsonDepthExceeds(root: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[root, 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop() as [unknown, number];
    if (value === null || typeof value !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Object.values(value)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

function tooLarge(maxBytes: number): HttpError {
  const mib = (maxBytes / 1024 / 1024).toFixed(1);
  return new HttpError(413, `request body is larger than ${mib} MiB (raise MAX_BODY_MB to allow more)`);
}
