// The app called with web-standard objects: a `Request` in, a `Response` out, no socket. Tests use it
// (a real client SDK takes it as its `fetch`), and so can a rig that embeds the proxy in-process.
// It answers as fetch over a socket would: the same headers as the node adapter, a client abort that
// rejects the call (or breaks the body) with the signal's reason, and a client that leaves, by its
// abort or by cancelling the body, aborting the handler's signal as a closed socket does.
import { HttpError } from '../errors.ts';
import type { AppRequest } from './handle.ts';
import type { Reply } from './url-router.ts';

const JSON_TYPE = 'application/json; charset=utf-8';

/** Answers a web Request with `handle`; its body is read only if the route wants it (`readBody` enforces MAX_BODY_MB). */
export async function answerWebRequest(
  request: Request,
  handle: (request: AppRequest) => Promise<Reply>,
  readBody: (request: Request) => Promise<Uint8Array | undefined>,
): Promise<Response> {
  const { signal } = request;
  // As fetch: a signal aborted already sends nothing.
  signal.throwIfAborted();
  // The handler's signal, aborted with the node adapter's reason when the client leaves early.
  const handler = new AbortController();
  const leave = (): void => handler.abort(new HttpError(499, 'client closed the connection'));
  signal.addEventListener('abort', leave, { once: true });
  let reply: Reply;
  try {
    reply = await beforeAbort(handle(fromWebRequest(request, handler.signal, readBody)), signal);
  } finally {
    signal.removeEventListener('abort', leave);
  }
  return toWebResponse(reply, request.method, { signal, leave });
}

// A web Request as the app's request, with the signal its handler sees.
function fromWebRequest(request: Request, signal: AbortSignal, readBody: (request: Request) => Promise<Uint8Array | undefined>): AppRequest {
  const url = new URL(request.url);
  const headers: Record<string, string | undefined> = {};
  request.headers.forEach((value, name) => void (headers[name] = value));
  // What a client library would send over a socket.
  headers.host ??= url.host;
  return { method: request.method, target: `${url.pathname}${url.search}`, headers, readBody: () => readBody(request), signal };
}

/** The client of a streamed body: its signal, and what to do when it leaves before the end. */
interface Client {
  signal: AbortSignal;
  /** Called at most once, when the client aborts, cancels the body, or the reply breaks (the socket would close). */
  leave: () => void;
}

// A reply as a web Response, with the headers the node adapter sets (node:http's own, Date and
// Connection, aside).
function toWebResponse(reply: Reply, method: string, client: Client): Response {
  const headers = new Headers(reply.headers);
  const status = reply.status ?? 200;
  if ('stream' in reply) {
    headers.set('Content-Type', reply.contentType);
    headers.set('Cache-Control', 'no-cache');
    headers.set('X-Accel-Buffering', 'no');
    if (method !== 'HEAD') return new Response(followClient(reply.stream, client), { status, headers });
    void reply.stream.cancel().catch(() => {});
    return new Response(null, { status, headers });
  }
  if ('empty' in reply) return new Response(null, { status, headers: withLength(headers, '') });
  const json = 'json' in reply;
  const body = json ? JSON.stringify(reply.json) : reply.text;
  headers.set('Content-Type', json ? JSON_TYPE : 'text/plain; charset=utf-8');
  return new Response(method === 'HEAD' ? null : body, { status, headers: withLength(headers, body) });
}

function withLength(headers: Headers, body: string): Headers {
  headers.set('Content-Length', String(Buffer.byteLength(body)));
  return headers;
}

// Resolves with the reply, or rejects with the signal's reason if the client aborts first (fetch's
// promise rejects then); a reply that still comes is cancelled, as node drops a response to a closed socket.
function beforeAbort(replied: Promise<Reply>, signal: AbortSignal): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    replied.then((reply) => {
      signal.removeEventListener('abort', onAbort);
      if (!signal.aborted) return resolve(reply);
      if ('stream' in reply) void reply.stream.cancel(signal.reason).catch(() => {});
    }, (error: unknown) => {
      signal.removeEventListener('abort', onAbort);
      reject(error);
    });
  });
}

// The body the client reads: the reply's chunks as they are, pulled one at a time (no read-ahead, so
// backpressure reaches the handler as through a socket). The client's abort errors it with the
// signal's reason, as fetch does, and cancels the reply; so does cancelling it.
function followClient(stream: ReadableStream<Uint8Array>, client: Client): ReadableStream<Uint8Array> {
  const reader = stream.getReader();
  let open = true;
  let onAbort = (): void => {};
  // Ends the exchange once; `left` when it ends early, which the handler learns through its signal.
  const end = (left: boolean): boolean => {
    if (!open) return false;
    open = false;
    client.signal.removeEventListener('abort', onAbort);
    if (left) client.leave();
    return true;
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      onAbort = () => {
        if (!end(true)) return;
        controller.error(client.signal.reason);
        void reader.cancel(client.signal.reason).catch(() => {});
      };
      if (client.signal.aborted) onAbort();
      else client.signal.addEventListener('abort', onAbort, { once: true });
    },
    async pull(controller) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (error) {
        end(true);
        throw error;
      }
      if (!open) return;
      if (!chunk.done) return controller.enqueue(chunk.value);
      end(false);
      controller.close();
    },
    cancel: (reason) => (end(true) ? reader.cancel(reason).catch(() => {}) : undefined),
  }, { highWaterMark: 0 });
}
