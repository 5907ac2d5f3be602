// The dashboard's routes: the static page (three files read once from src/dashboard/) and its
// event stream. The page's files carry no data, so they load without the proxy key; the events do not.
import { readFileSync } from 'node:fs';
import type { Route } from '../http/url-router.ts';
import type { HandlerContext } from '../serving/context.ts';
import { handleStatusEvents } from './dashboard-events.ts';

// The page shell; guards.ts lists the same paths as public (no PROXY_API_KEY needed).
const ASSETS: Record<string, { file: string; type: string }> = {
  '/dashboard': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/dashboard/dashboard.css': { file: 'dashboard.css', type: 'text/css; charset=utf-8' },
  '/dashboard/dashboard.js': { file: 'dashboard.js', type: 'text/javascript; charset=utf-8' },
};

// Only this origin's own files, no inline script or style, no frames: the page needs nothing else.
const SECURITY_HEADERS = {
  'Content-Security-Policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

/** The dashboard's routes, for the app's route table. */
export function dashboardRoutes(context: HandlerContext): Route[] {
  const cache = new Map<string, Uint8Array>();
  const load = (path: string, file: string) => {
    let bytes = cache.get(path);
    if (bytes === undefined) {
      bytes = readFileSync(new URL(`../dashboard/${file}`, import.meta.url));
      cache.set(path, bytes);
    }
    return bytes;
  };
  const GET = ['GET', 'HEAD'];
  const assets: Route[] = Object.entries(ASSETS).map(([path, asset]) => ({
    methods: GET,
    path,
    handler: () => ({ stream: ReadableStream.from([load(path, asset.file)]), contentType: asset.type, headers: SECURITY_HEADERS }),
  }));
  return [
    ...assets,
    // GET only: a HEAD would hold an endless stream open with nothing to send.
    { methods: ['GET'], path: '/status/events', handler: (request) => handleStatusEvents(context, request, { heartbeatMs: 15_000, settleMs: 250 }) },
  ];
}
