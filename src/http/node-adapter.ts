import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logger.ts';
import { parseJsonBody, readBody } from './body.ts';
import { discardUnreadBody } from './discard-body.ts';
import { HttpError, toHttpError } from '../errors.ts';
import type { ErrorReplier } from './errors.ts';
import { CORS_ALLOWED_HEADERS, CORS_ALLOWED_METHODS, createAuthCheck, createOriginPolicy, isLocalHost, isPublicPath } from './guards.ts';
import { parseRequestTarget, type ParsedRequest, type Reply, type RouteMatch } from './url-router.ts';

export interface AdapterOptions {
  route: (method: string, path: string) => RouteMatch;
  logger: Logger;
  maxBodyBytes: number;
  proxyApiKey: string | undefined;
  corsOrigins: readonly string[];
  /** Reject non-local Host headers (DNS rebinding), as Ollama does when bound to loopback. */
  checkHost: boolean;
  /** Spells an error in the shape of the API its path belongs to. */
  errorReply: ErrorReplier;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The only code that touches node's request and response objects: parse, guard, dispatch, write. */
export function createRequestListener(options: AdapterOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const originAllowed = createOriginPolicy(options.corsOrigins);
  const checkAuth = createAuthCheck(options.proxyApiKey);
  return (req, res) => {
    const started = performance.now();
    const abort = new AbortController();
    // 'close' on the response fires when the socket goes away before we finished: the client left.
    res.once('close', () => {
      if (!res.writableFinished) abort.abort(new HttpError(499, 'client closed the connection'));
    });
    handle(req, res, abort.signal).then(
      () => log(res.statusCode),
      (error: unknown) => {
        options.logger.error('response failed', { error: toHttpError(error).cause ?? error });
        res.destroy();
      },
    );
    const log = (status: number) =>
      options.logger.info('request', { method: req.method, path: req.url?.split('?')[0], status, ms: Math.round(performance.now() - started) });
  };

  async function handle(req: IncomingMessage, res: ServerResponse, signal: AbortSignal): Promise<void> {
    const method = req.method ?? 'GET';
    const target = parseRequestTarget(req.url ?? '/');
    const path = target?.path ?? '/';
    const origin = req.headers.origin;
    try {
      if (target === undefined) throw new HttpError(400, 'malformed request target');
      // HTTP/1.1 requires Host (RFC 9112 §3.2); node would refuse with an empty 400.
      if (req.httpVersion === '1.1' && req.headers.host === undefined) {
        // A client this broken may frame the rest of its bytes no better: close, as node would.
        throw new HttpError(400, 'the Host header is required in an HTTP/1.1 request', { headers: { Connection: 'close' } });
      }
      if (options.checkHost && !isLocalHost(req.headers.host)) throw new HttpError(403, 'forbidden: Host header is not local');
      if (origin !== undefined) {
        if (!originAllowed(origin)) throw new HttpError(403, `origin ${origin} is not allowed (set CORS_ORIGINS to allow it)`);
        res.setHeader('Access-Control-Allow-Origin', origin);
        res.setHeader('Vary', 'Origin');
      }
      if (method === 'OPTIONS') return writeReply(res, method, preflight(origin));
      if (!isPublicPath(method, path)) checkAuth(req.headers.authorization, header(req, 'x-api-key'));
      const match = options.route(method, path);
      const bytes = BODY_METHODS.has(method) && match.body !== 'ignore' ? await readBody(req, options.maxBodyBytes) : undefined;
      let body: { value: unknown } | undefined;
      const parsed: ParsedRequest = {
        method, path, query: target.query, headers: flattenHeaders(req), params: match.params, signal,
        // Parsed when the handler first reads it, so that a handler which ignores its body (a binary
        // blob upload, say) answers as it should rather than "invalid JSON"; a bad body still gets its 400.
        get body() {
          return (body ??= { value: parseJsonBody(bytes) }).value;
        },
      };
      const reply = await match.handler(parsed);
      await discardUnreadBody(req, res, options.maxBodyBytes);
      await writeReply(res, method, reply);
    } catch (error) {
      const httpError = toHttpError(error);
      if (httpError.status >= 500 && !httpError.expose) options.logger.error('handler failed', { path, error: httpError.cause ?? httpError });
      if (res.headersSent) return void res.destroy();
      // A body refused before it was read (too large, no key) is read to its end and dropped, so the
      // client, still sending, gets this answer rather than a reset connection.
      await discardUnreadBody(req, res, options.maxBodyBytes);
      const reply = options.errorReply(path, httpError, req.headers);
      await writeReply(res, method, { status: reply.status, headers: reply.headers, json: reply.body });
    }
  }
}

function preflight(origin: string | undefined): Reply {
  return {
    status: 204,
    empty: true,
    headers: origin === undefined ? {} : {
      'Access-Control-Allow-Methods': CORS_ALLOWED_METHODS,
      'Access-Control-Allow-Headers': CORS_ALLOWED_HEADERS,
      'Access-Control-Max-Age': '43200',
    },
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
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
