import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logger.ts';
import { readBody } from './body.ts';
import { discardUnreadBody } from './discard-body.ts';
import { HttpError, toHttpError } from '../errors.ts';
import type { AppRequest } from './handle.ts';
import type { Reply } from './url-router.ts';

export interface AdapterOptions {
  handle: (request: AppRequest) => Promise<Reply>;
  logger: Logger;
  maxBodyBytes: number;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** The only code that touches node's request and response objects: it translates them for `handle` and back. */
export function createRequestListener(options: AdapterOptions): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const started = performance.now();
    const abort = new AbortController();
    // What the handlers add to the request's log line (the model asked for, the one that answered, the attempts).
    const notes: Record<string, unknown> = {};
    // 'close' on the response fires when the socket goes away before we finished: the client left.
    res.once('close', () => {
      if (!res.writableFinished) abort.abort(new HttpError(499, 'client closed the connection'));
    });
    serve(req, res, abort.signal, notes).then(
      // A stream the client left before its end is logged as cancelled (499), as the dashboard shows it.
      () => log(abort.signal.aborted && !res.writableFinished ? 499 : res.statusCode),
      (error: unknown) => {
        options.logger.error('response failed', { error: toHttpError(error).cause ?? error });
        res.destroy();
      },
    );
    const log = (status: number) =>
      options.logger.info('request', { method: req.method, path: req.url?.split('?')[0], ...notes, status, ms: Math.round(performance.now() - started) });
  };

  async function serve(req: IncomingMessage, res: ServerResponse, signal: AbortSignal, notes: Record<string, unknown>): Promise<void> {
    const method = req.method ?? 'GET';
    const reply = await options.handle({
      method,
      target: req.url ?? '/',
      headers: flattenHeaders(req),
      readBody: () => readBody(req, options.maxBodyBytes),
      signal,
      note: (fields) => void Object.assign(notes, fields),
      httpVersion: req.httpVersion,
    });
    // A body refused before it was read (too large, no key) is read to its end and dropped, so the
    // client, still sending, gets this answer rather than a reset connection.
    await discardUnreadBody(req, res, options.maxBodyBytes);
    try {
      await writeReply(res, method, reply);
    } catch (error) {
      // A reply stream that broke after its headers (the client left, so the upstream was let go):
      // nothing more can be said on this response, and it is not the server failing.
      if (!res.headersSent) throw error;
      res.destroy();
    }
  }
}

function flattenHeaders(req: IncomingMessage): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  return headers;
}

async function writeReply(res: ServerResponse, method: string, reply: Reply): Promise<void> {
  res.statusCode = reply.status ?? 200;
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  if ('stream' in reply) return pipeStream(res, reply.stream, reply.contentType);
  let body = '';
  if ('json' in reply) {
    res.setHeader('Content-Type', JSON_TYPE);
    body = JSON.stringify(reply.json);
  } else if ('text' in reply) {
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    body = reply.text;
  }
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(method === 'HEAD' ? undefined : body);
}

// Writes chunks as they come; each chunk is whole lines, so a line never straddles two writes.
async function pipeStream(res: ServerResponse, stream: ReadableStream<Uint8Array>, contentType: string): Promise<void> {
  res.setHeader('Content-Type', contentType);
  res.setHeader('Cache-Control', 'no-cache');
  res.setHeader('X-Accel-Buffering', 'no');
  res.flushHeaders();
  const reader = stream.getReader();
  const closed = new Promise<void>((resolve) => res.once('close', resolve));
  try {
    while (!res.destroyed) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) {
        let onDrain = (): void => {};
        await Promise.race([new Promise<void>((resolve) => res.once('drain', (onDrain = resolve))), closed]);
        // When the close won, the drain listener would stay on the response: take it off.
        res.off('drain', onDrain);
      }
    }
  } finally {
    if (res.destroyed) await reader.cancel().catch(() => {});
    else reader.releaseLock();
  }
  res.end();
}
