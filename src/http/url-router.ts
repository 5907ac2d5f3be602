import { HttpError } from '../errors.ts';

/** A request as handlers see it: no sockets, just data and a cancellation signal. */
export interface ParsedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | undefined>;
  params: Record<string, string>;
  /** Parsed JSON body, or undefined when the body was empty. */
  body: unknown;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
  /** Adds fields to the request's INFO `request` log line (the model asked for, the one that answered, the attempts). */
  note?(fields: Record<string, unknown>): void;
}

/** What a handler returns; the node adapter turns it into bytes on the wire. */
export type Reply =
  | { status?: number; headers?: Record<string, string>; json: unknown }
  | { status?: number; headers?: Record<string, string>; text: string }
  | { status?: number; headers?: Record<string, string>; stream: ReadableStream<Uint8Array>; contentType: string }
  | { status: number; headers?: Record<string, string>; empty: true };

export type Handler = (request: ParsedRequest) => Reply | Promise<Reply>;

export interface Route {
  methods: readonly string[];
  /** A path such as `/v1/models/:id`; a trailing `*` param (`/api/blobs/:digest`) takes one segment. */
  path: string;
  handler: Handler;
  /** `ignore`: the handler never reads a body, so none is read (binary uploads may be gigabytes). Default `json`. */
  body?: 'json' | 'ignore';
  /** Matches only requests whose headers pass (two APIs share `/v1/models`); a later route gets the rest. */
  when?: (headers: Record<string, string | undefined>) => boolean;
}

interface CompiledRoute extends Route {
  segments: string[];
}

export interface RouteMatch {
  handler: Handler;
  params: Record<string, string>;
  body?: 'json' | 'ignore';
}

/**
 * Splits a raw request target into a normalised path (no trailing slash) and its query; undefined
 * when it is not a URL at all. Origin-form (`/path?q`) is the norm; absolute-form
 * (`http://host/path`), which proxies receive, routes by its path: the host in it is never contacted.
 */
export function parseRequestTarget(raw: string): { path: string; query: URLSearchParams } | undefined {
  let url: URL;
  try {
    // Not `new URL(raw, base)`: that reads `//host/x` as a host name and throws on `//`.
    url = raw.startsWith('/') ? new URL(`http://localhost${raw}`) : new URL(raw);
  } catch {
    return undefined;
  }
  const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') || '/' : url.pathname;
  return { path, query: url.searchParams };
}

/** Builds a matcher over a route table; unknown paths throw 404 and known paths with the wrong method 405. */
export function createUrlRouter(routes: readonly Route[]): (method: string, path: string, headers?: Record<string, string | undefined>) => RouteMatch {
  const compiled: CompiledRoute[] = routes.map((route) => ({ ...route, segments: route.path.split('/') }));
  return (method, path, headers = {}) => {
    const requested = path.split('/');
    let pathMatched = false;
    for (const route of compiled) {
      const params = matchSegments(route.segments, requested);
      if (params === undefined) continue;
      pathMatched = true;
      if (route.methods.includes(method) && (route.when?.(headers) ?? true)) return { handler: route.handler, params, body: route.body ?? 'json' };
    }
    if (pathMatched) throw new HttpError(405, `method ${method} not allowed for ${path}`);
    throw new HttpError(404, `path ${path} not found`);
  };
}

function matchSegments(pattern: readonly string[], requested: readonly string[]): Record<string, string> | undefined {
  // A model id such as `openai/gpt-4o` contains a slash, so a final `:param*` swallows the rest.
  const last = pattern[pattern.length - 1] ?? '';
  const greedy = last.endsWith('*');
  if (greedy ? requested.length < pattern.length : requested.length !== pattern.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const expected = pattern[i] ?? '';
    if (expected.startsWith(':')) {
      const name = expected.slice(1).replace(/\*$/, '');
      const value = greedy && i === pattern.length - 1 ? requested.slice(i).join('/') : (requested[i] ?? '');
      if (value === '') return undefined;
      try {
        params[name] = decodeURIComponent(value);
      } catch {
        return undefined;
      }
    } else if (expected !== requested[i]) {
      return undefined;
    }
  }
  return params;
}
