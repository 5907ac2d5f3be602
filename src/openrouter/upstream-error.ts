import { HttpError, UpstreamError, type FailureClass } from '../errors.ts';
import type { UpstreamErrorBody } from '../chat/wire.ts';
import { upstreamText } from './upstream-text.ts';

type HeaderLookup = { get(name: string): string | null } | undefined;

/**
 * Classifies an upstream error (HTTP status or in-band `error` object) into what the client sees and
 * how routing reacts. `secrets` (the OpenRouter key) never reach the message, however the upstream
 * echoes them: this is where upstream error text becomes the text clients and the dashboard see.
 */
export function classifyUpstreamError(httpStatus: number, body: UpstreamErrorBody | undefined, headers: HeaderLookup, now: number, secrets: readonly string[] = []): UpstreamError {
  const code = typeof body?.code === 'number' && body.code >= 400 ? body.code : httpStatus >= 400 ? httpStatus : 502;
  const described = upstreamText(describeUpstreamError(body, code), secrets);
  // A 401 from OpenRouter is about the proxy's own key, not the client's credentials: say so.
  const message = code === 401 ? `OpenRouter rejected OPENROUTER_API_KEY: ${described}` : described;
  const text = `${body?.message ?? ''} ${typeof body?.metadata?.raw === 'string' ? body.metadata.raw : ''}`;
  const failure = failureClass(code, text, body?.metadata?.limit_source);
  // Platform caps lift at X-RateLimit-Reset; a Retry-After beside it only says when to back off.
  const retryAt = (failure === 'daily-cap' || failure === 'minute-cap' ? rateLimitReset(headers, body) : undefined) ?? retryTime(headers, body, now);
  // The client sees OpenRouter's meaning for statuses it can act on; everything else is a bad gateway.
  const status = [400, 401, 402, 403, 404, 413, 429].includes(code) ? code : code === 408 || code === 504 || code === 524 ? 504 : 502;
  const provider = providerOf(body);
  return new UpstreamError(status, message, failure, { retryAt, ...(provider === undefined ? {} : { provider }) });
}

/**
 * The provider a failure is attributed to: OpenRouter names it in `metadata.provider_name`, and
 * relays its own error in `metadata.raw` under "Provider returned error". Such a failure is one
 * provider's, not OpenRouter's (it reached a provider), so it never counts towards an outage.
 */
function providerOf(body: UpstreamErrorBody | undefined): string | undefined {
  const named = body?.metadata?.provider_name;
  if (typeof named === 'string' && named.trim() !== '') return named;
  if (body?.message?.trim() === 'Provider returned error' && rawCause(body.metadata?.raw) !== undefined) return 'unnamed provider';
  return undefined;
}

function failureClass(code: number, text: string, limitSource: string | undefined): FailureClass {
  if (code === 429) {
    if (/free-models-per-day/i.test(text) || limitSource === 'openrouter_free_tier_daily') return 'daily-cap';
    if (/free-models-per-min/i.test(text)) return 'minute-cap';
    return 'rate-limit';
  }
  if (code === 404 || code === 400) {
    if (/no endpoints found that (support|can handle)/i.test(text)) return 'unsupported';
    if (/data policy|no allowed providers/i.test(text)) return 'fatal';
    if (/no endpoints found|period has ended|not a valid model id|deprecated/i.test(text)) return 'gone';
    return code === 404 ? 'gone' : 'fatal';
  }
  // Only the moderation refusal moves on: key spend caps, guardrails and permissions are the account's.
  if (code === 403 && /requires moderation|flagged/i.test(text)) return 'moderation';
  if (code === 401 || code === 402 || code === 403 || code === 413 || code === 422) return 'fatal';
  return 'transient';
}

/** Builds a message that names the real cause, which OpenRouter hides in `metadata.raw` behind "Provider returned error". */
export function describeUpstreamError(body: UpstreamErrorBody | undefined, code: number): string {
  const base = (typeof body?.message === 'string' ? body.message.trim() : '') || `upstream error ${code}`;
  const raw = rawCause(body?.metadata?.raw);
  const provider = typeof body?.metadata?.provider_name === 'string' ? body.metadata.provider_name : undefined;
  if (raw === undefined || base.includes(raw)) return provider ? `${base} (${provider})` : base;
  return `${base}${provider ? ` (${provider})` : ''}: ${raw}`;
}

function rawCause(raw: unknown): string | undefined {
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  // `raw` is often the provider's own JSON error body, stringified.
  try {
    const parsed = JSON.parse(raw) as { error?: { message?: unknown } | string; message?: unknown };
    const inner = typeof parsed.error === 'string' ? parsed.error : (parsed.error?.message ?? parsed.message);
    if (typeof inner === 'string' && inner !== '') return inner.slice(0, 500);
  } catch {
    // not JSON: use it as it is
  }
  return raw.trim().slice(0, 500);
}

function retryTime(headers: HeaderLookup, body: UpstreamErrorBody | undefined, now: number): number | undefined {
  const retryAfter = headers?.get('retry-after') ?? undefined;
  if (retryAfter !== undefined) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return now + seconds * 1000;
    const date = Date.parse(retryAfter);
    if (Number.isFinite(date)) return date;
  }
  return rateLimitReset(headers, body);
}

// X-RateLimit-Reset is epoch milliseconds as a string, in the headers and copied into metadata.headers.
function rateLimitReset(headers: HeaderLookup, body: UpstreamErrorBody | undefined): number | undefined {
  const reset = headers?.get('x-ratelimit-reset') ?? body?.metadata?.headers?.['X-RateLimit-Reset'];
  const resetMs = Number(reset);
  if (reset === undefined || reset === null || !Number.isFinite(resetMs) || resetMs <= 0) return undefined;
  return resetMs < 1e11 ? resetMs * 1000 : resetMs;
}

// Errors that say this machine is out of something, not that the network or OpenRouter failed.
const LOCAL_LIMITS: Record<string, string> = {
  EMFILE: 'the proxy has run out of file descriptors (too many open connections or files); raise its limit (ulimit -n, or nofile in Docker) or lower the load',
  ENFILE: 'the system has run out of file descriptors; lower the load or raise fs.file-max',
  EADDRNOTAVAIL: 'no local port is free for a new connection; lower the load',
  ENOBUFS: 'the system has run out of network buffers; lower the load',
};

/**
 * Wraps a transport failure (refused, reset, DNS, timeout) as a 502/504 UpstreamError, keeping the
 * original as its cause. `during` says whether the answer had started: a connection that breaks
 * mid-answer was reached, so it must not read as "cannot reach".
 */
export function networkError(error: unknown, baseUrl: string, during: 'request' | 'stream' = 'request'): UpstreamError {
  if (error instanceof UpstreamError) return error;
  // Our own timeouts (504) and the client's disconnect (499) arrive here as abort reasons.
  if (error instanceof HttpError) return new UpstreamError(error.status, error.message, 'transient', { cause: error });
  // fetch reports "fetch failed" or "terminated"; the socket's own error, with its code, is the cause.
  const cause = (error as { cause?: { code?: unknown; message?: unknown } })?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  const message = typeof cause?.message === 'string' ? cause.message : error instanceof Error ? error.message : String(error);
  const detail = code === undefined ? message : message === '' || message.includes(code) ? code : `${code} (${message})`;
  const local = code === undefined ? undefined : LOCAL_LIMITS[code];
  // Not OpenRouter's failure, nor any model's: every model would fail alike, so stop (`fatal`), and
  // never read as an outage. The proxy's own limit is the one to raise.
  if (local !== undefined) return new UpstreamError(503, `the proxy cannot open a connection to OpenRouter: ${local} (${code})`, 'fatal', { cause: error });
  const what = during === 'stream' ? `the connection to OpenRouter at ${baseUrl} broke mid-answer` : `cannot reach OpenRouter at ${baseUrl}`;
  return new UpstreamError(502, `${what}: ${detail}`, 'transient', { cause: error });
}
