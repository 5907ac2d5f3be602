import { createServer, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { HttpError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { ErrorReplier } from './errors.ts';
import type { AppRequest } from './handle.ts';
import { createRequestListener } from './node-adapter.ts';
import { parseRequestTarget, type Reply } from './url-router.ts';

export interface ServerTimeouts {
  /** How long a client may take to send its request headers. */
  headersTimeoutMs: number;
  /** How long a client may take to send its whole request, body included. */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open between requests. */
  keepAliveTimeoutMs: number;
  /** How often node checks the two limits above (node's default is 30 s). */
  checkIntervalMs: number;
}

/**
 * Slow-loris protection that never cuts a long answer. Every one of these bounds the *request* (or
 * the idle time between requests): node checks headersTimeout and requestTimeout only while a
 * request is still arriving, and keepAliveTimeout only while no request is in flight. Nothing bounds
 * how long a response may take: `server.timeout` (socket inactivity) is 0, and there is no write
 * timeout, so a ten-minute stream is not cut (the original Go proxy cut every stream at 30 s).
 * requestTimeout leaves room for a MAX_BODY_MB image upload over a slow link.
 */
export const DEFAULT_TIMEOUTS: ServerTimeouts = {
  headersTimeoutMs: 30_000,
  requestTimeoutMs: 300_000,
  // Longer than the 60 s idle timeout of common reverse proxies, so one in front never reuses a
  // connection this server has just closed.
  keepAliveTimeoutMs: 65_000,
  checkIntervalMs: 1_000,
};

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

/** What the server runs: the app's `handle`, how to spell an error for a path, and what the socket side needs. */
export interface HttpApp {
  handle: (request: AppRequest) => Promise<Reply>;
  errorReply: ErrorReplier;
  socket: SocketSettings;
}

export interface SocketSettings {
  logger: Logger;
  /** MAX_BODY_MB in bytes: a larger request body is refused with a 413. */
  maxBodyBytes: number;
}

/** Creates the node:http server for an app, with the timeouts above and API-shaped answers to broken requests. */
export function createHttpServer(app: HttpApp, timeouts: ServerTimeouts = DEFAULT_TIMEOUTS): Server {
  const { errorReply } = app;
  const listener = createRequestListener({ handle: app.handle, ...app.socket });
  // The request in flight on each connection: its path decides the error shape when node gives up on it.
  const inFlight = new WeakMap<Socket, { url: string; res: ServerResponse }>();
  const server = createServer(
    {
      headersTimeout: timeouts.headersTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      keepAliveTimeout: timeouts.keepAliveTimeoutMs,
      connectionsCheckingInterval: timeouts.checkIntervalMs,
      // Node's own refusal of a request without Host is a 400 with no body; the adapter refuses it
      // in the API's error shape instead.
      requireHostHeader: false,
    },
    (req, res) => {
      const socket = req.socket;
      inFlight.set(socket, { url: req.url ?? '/', res });
      res.once('close', () => inFlight.delete(socket));
      listener(req, res);
    },
  );
  server.timeout = 0;
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    const current = inFlight.get(socket);
    // Once a response has started, a status line would corrupt it: just close.
    if (current?.res.headersSent) return void socket.destroy();
    // The error shape is worked out only here, for the rare broken request, not for every request.
    // Before node has the whole head there is no request yet: the bytes it choked on may still say
    // which API the client speaks (headers too large arrive with their request line, as clients send them).
    const head = current === undefined ? requestHeadOf((error as { rawPacket?: unknown }).rawPacket) : { url: current.url, headers: {} };
    const path = parseRequestTarget(head.url)?.path ?? '/';
    answerClientError(error, socket, (status, message) => errorReply(path, new HttpError(status, message), head.headers));
  });
  return server;
}

/**
 * The request line's target and the headers in the raw bytes of a request node could not parse, as
 * far as they go; `/` when they do not start with a request line.
 */
export function requestHeadOf(raw: unknown): { url: string; headers: Record<string, string> } {
  if (!Buffer.isBuffer(raw)) return { url: '/', headers: {} };
  // Only the start matters, and a head over the limit can be megabytes.
  const lines = raw.subarray(0, 8192).toString('latin1').split('\r\n');
  const target = /^[A-Z]+ (\S+) HTTP\/1\.[01]$/.exec(lines[0] ?? '')?.[1];
  if (target === undefined) return { url: '/', headers: {} };
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { url: target, headers };
}

// Node calls this for requests it cannot parse or that arrive too slowly. Its own answer has no body;
// ours says what went wrong in the API's error shape, then closes the connection.
function answerClientError(error: NodeJS.ErrnoException, socket: Socket, toReply: (status: number, message: string) => { body: unknown }): void {
  // A reset or a peer that already left: there is nobody to answer.
  if (error.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
  const status = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
  const message = status === 408
    ? 'request timed out: the client sent its request too slowly'
    : status === 431 ? 'request headers are too large' : `malformed HTTP request (${error.code ?? 'parse error'})`;
  const body = JSON.stringify(toReply(status, message).body);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
