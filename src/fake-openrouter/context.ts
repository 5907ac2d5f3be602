// Shared state of one fake instance and the helpers every route handler uses.
import { setTimeout as sleep } from 'node:timers/promises';
import { errorReply } from './errors.ts';
import type { ErrorReply } from './errors.ts';
import { createFaultQueue, preResponseReply } from './faults.ts';
import type { FaultQueue } from './faults.ts';
import { createFreeLimiter } from './free-limits.ts';
import type { FreeLimiter } from './free-limits.ts';
import { createOutageSwitch } from './outage.ts';
import type { OutageSwitch } from './outage.ts';
import { createIdSource } from './wire.ts';
import type { IdSource } from './wire.ts';
import type { Fault, FakeModel, FreeLimits, KeyOptions, Sink } from './types.ts';

export interface FakeState {
  models: FakeModel[];
  faults: FaultQueue;
  ids: IdSource;
  keepAliveComments: number;
  // Picks the usage-chunk shape: even streams get `choices: []`, odd ones the empty-choice shape.
  streamCount: number;
  activeStreams: number;
  // Credits spent so far, reported by GET /key.
  usageUsd: number;
  // The account GET /key describes.
  key: KeyOptions;
  outage: OutageSwitch;
  freeLimits: FreeLimits | undefined;
  freeLimiter: FreeLimiter;
}

/** Fresh state for a new fake (or after reset()). */
export function createState(
  models: FakeModel[], keepAliveComments: number, key: KeyOptions = {}, freeLimits?: FreeLimits,
): FakeState {
  const state: FakeState = {
    models, faults: createFaultQueue(), ids: createIdSource(), keepAliveComments,
    streamCount: 0, activeStreams: 0, usageUsd: 0, key, outage: createOutageSwitch(),
    freeLimits, freeLimiter: createFreeLimiter(() => state.freeLimits),
  };
  return state;
}

export interface HandlerContext {
  state: FakeState;
  headers: Record<string, string | string[] | undefined>;
  query: URLSearchParams;
  body: unknown;
  sink: Sink;
}

/** The bearer token of a request, or undefined when the header is missing, garbled or empty. */
export function bearerToken(headers: HandlerContext['headers']): string | undefined {
  const value = headers['authorization'];
  const match = typeof value === 'string' ? /^Bearer\s+(\S.*)$/i.exec(value.trim()) : null;
  return match?.[1];
}

/** Sends a JSON value with a status. */
export function sendJson(sink: Sink, status: number, value: unknown, headers: Record<string, string> = {}): void {
  sink.start(status, { 'Content-Type': 'application/json', ...headers });
  sink.end(JSON.stringify(value));
}

/** Sends a pre-response error: status = code, JSON body, plus its headers (Retry-After, X-RateLimit-*). */
export function sendError(sink: Sink, reply: ErrorReply): void {
  sink.start(reply.status, { 'Content-Type': 'application/json', ...reply.headers });
  sink.end(reply.body);
}

/** Sends 401 `No auth credentials found` unless the request has a bearer token; true when it did. */
export function rejectUnauthenticated(ctx: HandlerContext): boolean {
  if (bearerToken(ctx.headers) !== undefined) return false;
  sendError(ctx.sink, errorReply(401, 'No auth credentials found'));
  return true;
}

/** Applies the faults that act before the response starts (delay, early reset, error replies); true when the request is done. */
export async function applyEarlyFault(
  ctx: HandlerContext, fault: Fault | undefined, modelId: string, model: FakeModel | undefined, inputText = '',
): Promise<boolean> {
  if (fault === undefined) return false;
  if (fault.kind === 'delay') await sleep(fault.ms, undefined, { signal: ctx.sink.signal });
  if (fault.kind === 'reset' && fault.afterChunks < 0) {
    ctx.sink.destroy();
    return true;
  }
  const reply = preResponseReply(fault, modelId, model, Date.now(), inputText);
  if (reply === undefined) return false;
  sendError(ctx.sink, reply);
  return true;
}

/** Counts a request against the account's free-model caps; sends the 429 and returns true when over a cap. */
export function rejectOverFreeLimit(ctx: HandlerContext, modelId: string): boolean {
  const { state } = ctx;
  const reply = state.freeLimiter.admit(modelId, Date.now(), state.key.isFreeTier === false);
  if (reply === undefined) return false;
  sendError(ctx.sink, reply);
  return true;
}

/** Finds a model by id, also accepting routing variants such as `:nitro` or `:floor`. */
export function findModel(models: FakeModel[], id: string): FakeModel | undefined {
  const exact = models.find((m) => m.id === id);
  if (exact !== undefined) return exact;
  const base = id.replace(/:(nitro|floor|exacto|online|thinking|extended)$/, '');
  return base === id ? undefined : models.find((m) => m.id === base);
}
