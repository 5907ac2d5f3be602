// The app's one entry point, without a socket: a request as data in, a reply out. Guards (Host,
// Origin, CORS preflight, PROXY_API_KEY), routing, the body (read and parsed only when the route
// wants it) and errors in the shape of the request's API all happen here; the node adapter
// (node-adapter.ts) and the web adapter (web-adapter.ts) only translate.
import { HttpError, toHttpError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { parseJsonBody } from './body.ts';
import type { ErrorReplier } from './errors.ts';
import { CORS_ALLOWED_HEADERS, CORS_ALLOWED_METHODS, createAuthCheck, createOriginPolicy, isLocalHost, isPublicPath } from './guards.ts';
import { parseRequestTarget, type ParsedRequest, type Reply, type RouteMatch } from './url-router.ts';

/** A request as the app sees it: no socket, just data, a way to read the body, and a cancellation signal. */
export interface AppRequest {
  method: string;
  /** The raw request target: `/path?query`, or the absolute form proxies receive. */
  target: string;
  headers: Record<string, string | undefined>;
  /** Reads the body's bytes (undefined when empty); called only for a route that reads bodies. Rejects with an HttpError (413, 499). */
  readBody(): Promise<Uint8Array | undefined>;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
  /** Adds fields to the request's log line, where there is one (the node adapter writes it). */
  note?(fields: Record<string, unknown>): void;
  /** The HTTP version, when the request came over a socket (`1.1` requires a Host header). */
  httpVersion?: string;
}

export interface HandleOptions {
  route: (method: string, path: string, headers: Record<string, string | undefined>) => RouteMatch;
  logger: Logger;
  proxyApiKey: string | undefined;
  corsOrigins: readonly string[];
  /** Reject non-local Host headers (DNS rebinding), as Ollama does when bound to loopback. */
  checkHost: boolean;
  /** Spells an error in the shape of the API its request belongs to. */
  errorReply: ErrorReplier;
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Builds `handle(request) → reply`. A reply is never a thrown error: failures come back in the API's shape. */
export function createHandle(options: HandleOptions): (request: AppRequest) => Promise<Reply> {
  const originAllowed = createOriginPolicy(options.corsOrigins);
  const checkAuth = createAuthCheck(options.proxyApiKey);

  return async (request) => {
    const { method, headers } = request;
    const target = parseRequestTarget(request.target);
    const path = target?.path ?? '/';
    const cors: Record<string, string> = {};
    try {
      if (target === undefined) throw new HttpError(400, 'malformed request target');
      // HTTP/1.1 requires Host (RFC 9112 §3.2); node would refuse with an empty 400. A client this
      // broken may frame the rest of its bytes no better: close, as node would.
      if (request.httpVersion === '1.1' && headers.host === undefined) {
        throw new HttpError(400, 'the Host header is required in an HTTP/1.1 request', { headers: { Connection: 'close' } });
      }
      if (options.checkHost && !isLocalHost(headers.host)) throw new HttpError(403, 'forbidden: Host header is not local');
      const origin = headers.origin;
      if (origin !== undefined) {
        if (!originAllowed(origin)) throw new HttpError(403, `origin ${origin} is not allowed (set CORS_ORIGINS to allow it)`);
        Object.assign(cors, { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' });
      }
      if (method === 'OPTIONS') return withHeaders(preflight(origin), cors);
      if (!isPublicPath(method, path)) checkAuth(headers.authorization, headers['x-api-key']);
      const match = options.route(method, path, headers);
      const bytes = BODY_METHODS.has(method) && match.body !== 'ignore' ? await request.readBody() : undefined;
      let body: { value: unknown } | undefined;
      const parsed: ParsedRequest = {
        method, path, query: target.query, headers, params: match.params, signal: request.signal, ...(request.note !== undefined ? { note: request.note } : {}),
        // Parsed when the handler first reads it, so that a handler which ignores its body (a binary
        // blob upload, say) answers as it should rather than "invalid JSON"; a bad body still gets its 400.
        get body() {
          return (body ??= { value: parseJsonBody(bytes) }).value;
        },
      };
      return withHeaders(await match.handler(parsed), cors);
    } catch (error) {
      const httpError = toHttpError(error);
      if (httpError.status >= 500 && !httpError.expose) options.logger.error('handler failed', { path, error: httpError.cause ?? httpError });
      const reply = options.errorReply(path, httpError, headers);
      return { status: reply.status, headers: { ...reply.headers, ...cors }, json: reply.body };
    }
  };
}

function withHeaders(reply: Reply, headers: Record<string, string>): Reply {
  return Object.keys(headers).length === 0 ? reply : { ...reply, headers: { ...reply.headers, ...headers } };
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
