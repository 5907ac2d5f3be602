import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpError } from '../errors.ts';

// Ollama's default allow-list: local web apps, desktop shells and editor webviews.
const DEFAULT_ORIGIN_PATTERNS = [
  'http://localhost', 'https://localhost', 'http://localhost:*', 'https://localhost:*',
  'http://127.0.0.1', 'https://127.0.0.1', 'http://127.0.0.1:*', 'https://127.0.0.1:*',
  'http://0.0.0.0', 'https://0.0.0.0', 'http://0.0.0.0:*', 'https://0.0.0.0:*',
  'http://[::1]', 'http://[::1]:*',
  'app://*', 'file://*', 'tauri://*', 'vscode-webview://*', 'vscode-file://*',
];

export const CORS_ALLOWED_HEADERS =
  'Authorization, Content-Type, User-Agent, Accept, X-Requested-With, OpenAI-Beta, ' +
  'x-stainless-arch, x-stainless-async, x-stainless-custom-poll-interval, x-stainless-helper-method, ' +
  'x-stainless-lang, x-stainless-os, x-stainless-package-version, x-stainless-poll-helper, ' +
  'x-stainless-retry-count, x-stainless-runtime, x-stainless-runtime-version, x-stainless-timeout, ' +
  // Anthropic clients: the SDK's key header, its version and beta flags, and its browser opt-in.
  'x-api-key, anthropic-version, anthropic-beta, anthropic-dangerous-direct-browser-access';
export const CORS_ALLOWED_METHODS = 'GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS';

/** Compiles origin patterns (`*` matches any run of characters) into one predicate. */
export function createOriginPolicy(extraOrigins: readonly string[]): (origin: string) => boolean {
  const patterns = [...DEFAULT_ORIGIN_PATTERNS, ...extraOrigins];
  if (patterns.includes('*')) return () => true;
  const regexes = patterns.map((pattern) => {
    const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
    return new RegExp(`^${escaped}$`, 'i');
  });
  return (origin) => regexes.some((regex) => regex.test(origin));
}

/** True when a Host header names this machine, for the DNS-rebinding check on loopback binds. */
export function isLocalHost(hostHeader: string | undefined): boolean {
  if (hostHeader === undefined || hostHeader === '') return true;
  const host = hostHeader.startsWith('[') ? hostHeader.slice(0, hostHeader.indexOf(']') + 1) : hostHeader.replace(/:\d+$/, '');
  const name = host.toLowerCase();
  return name === 'localhost' || name.endsWith('.localhost') || name === '[::1]' || name === '0.0.0.0' || /^127\.\d+\.\d+\.\d+$/.test(name);
}

/** True for a bind address that only this machine can reach. */
export function isLoopbackAddress(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

// The liveness probes (Ollama's `/`, Claude Code's `/api/hello`), and the dashboard's page shell (static
// files with no data: the page asks for the key).
const PUBLIC_PATHS = new Set(['/', '/api/hello', '/dashboard', '/dashboard/dashboard.css', '/dashboard/dashboard.js']);

/** True for the few GET paths that answer without PROXY_API_KEY. */
export function isPublicPath(method: string, path: string): boolean {
  return (method === 'GET' || method === 'HEAD') && PUBLIC_PATHS.has(path);
}

/**
 * Builds the PROXY_API_KEY check: `Authorization: Bearer <key>`, or `x-api-key: <key>` as Anthropic
 * clients send it. With no key configured it accepts everything, any credentials included.
 */
export function createAuthCheck(proxyApiKey: string | undefined): (authorization: string | undefined, apiKey?: string) => void {
  if (proxyApiKey === undefined) return () => {};
  const expected = digest(proxyApiKey);
  // Comparing fixed-length digests keeps the time independent of both the key and its length.
  const matches = (key: string | undefined) => key !== undefined && key !== '' && timingSafeEqual(digest(key), expected);
  return (authorization, apiKey) => {
    const bearer = /^Bearer\s+(.+)$/i.exec(authorization?.trim() ?? '')?.[1]?.trim();
    if (!matches(bearer) && !matches(apiKey?.trim())) {
      throw new HttpError(401, 'unauthorized: send "Authorization: Bearer <PROXY_API_KEY>" (or "x-api-key: <PROXY_API_KEY>")', {
        headers: { 'WWW-Authenticate': 'Bearer' },
      });
    }
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
