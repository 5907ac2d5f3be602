// The app called with web-standard objects: a `Request` in, a `Response` out, no socket. Tests use it
// (a real client SDK takes it as its `fetch`), and so can a rig that embeds the proxy in-process.
import type { AppRequest } from './handle.ts';
import type { Reply } from './url-router.ts';

const JSON_TYPE = 'application/json; charset=utf-8';

/** A web Request as the app's request; its body is read only if the route wants it, up to `maxBodyBytes`. */
export function fromWebRequest(request: Request, readBody: (request: Request) => Promise<Uint8Array | undefined>): AppRequest {
  const url = new URL(request.url);
  const headers: Record<string, string | undefined> = {};
  request.headers.forEach((value, name) => void (headers[name] = value));
  // What a client library would send over a socket.
  headers.host ??= url.host;
  return { method: request.method, target: `${url.pathname}${url.search}`, headers, readBody: () => readBody(request), signal: request.signal };
}

/** A reply as a web Response, with the headers node:http would add. */
export function toWebResponse(reply: Reply, method: string): Response {
  const headers = new Headers(reply.headers);
  const status = reply.status ?? 200;
  if ('stream' in reply) {
    headers.set('Content-Type', reply.contentType);
    headers.set('Cache-Control', 'no-cache');
    return new Response(method === 'HEAD' ? null : reply.stream, { status, headers });
  }
  if ('empty' in reply) return new Response(null, { status, headers });
  const json = 'json' in reply;
  const body = json ? JSON.stringify(reply.json) : reply.text;
  headers.set('Content-Type', json ? JSON_TYPE : 'text/plain; charset=utf-8');
  return new Response(method === 'HEAD' ? null : body, { status, headers });
}
