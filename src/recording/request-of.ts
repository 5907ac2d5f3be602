// What a fetch call sends, as the recording and matching code see it.
import type { UpstreamRequest } from './match.ts';

/** The method, the path relative to `baseUrl` (query included) and the JSON body of a fetch call. */
export function requestOf(input: Parameters<typeof fetch>[0], init: RequestInit | undefined, baseUrl: string): UpstreamRequest {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  const method = (init?.method ?? (typeof input === 'object' && 'method' in input ? input.method : 'GET')).toUpperCase();
  const path = url.startsWith(baseUrl) ? url.slice(baseUrl.length) || '/' : pathOf(url);
  const raw = init?.body;
  let body: unknown = null;
  if (typeof raw === 'string' && raw !== '') {
    try {
      body = JSON.parse(raw);
    } catch {
      // A non-JSON body is kept as text: still recorded and matched, just not normalised.
      body = raw;
    }
  }
  return { method, path: path.startsWith('/') ? path : `/${path}`, body };
}

function pathOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
}
