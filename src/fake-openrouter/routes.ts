// Maps method + path (under /api/v1) to handlers; also the small read-only routes.
import { filterModels, listModels } from './catalog.ts';
import { handleChat } from './chat.ts';
import { findControl } from './control.ts';
import { rejectUnauthenticated, sendError, sendJson } from './context.ts';
import type { HandlerContext } from './context.ts';
import { handleEmbeddings } from './embeddings.ts';
import { errorReply } from './errors.ts';
import { handleKey } from './key.ts';

export type Handler = (ctx: HandlerContext) => void | Promise<void>;

function handleModels(ctx: HandlerContext): void {
  sendJson(ctx.sink, 200, listModels(ctx.state.models, ctx.query));
}

function handleModelsCount(ctx: HandlerContext): void {
  sendJson(ctx.sink, 200, { data: { count: filterModels(ctx.state.models, ctx.query).length } });
}

function handleUserModels(ctx: HandlerContext): void {
  if (!rejectUnauthenticated(ctx)) handleModels(ctx);
}

const ROUTES: Record<string, Handler> = {
  'GET /models': handleModels,
  'GET /models/count': handleModelsCount,
  'GET /models/user': handleUserModels,
  'GET /key': handleKey,
  'GET /auth/key': handleKey,
  'POST /chat/completions': handleChat,
  'POST /embeddings': handleEmbeddings,
};

// Inference fails during any outage; the read routes only when the outage includes them.
const INFERENCE = new Set(['POST /chat/completions', 'POST /embeddings']);

function guardedByOutage(route: string, handler: Handler): Handler {
  const kind = INFERENCE.has(route) ? 'inference' : 'read';
  return (ctx) => {
    const model = (ctx.body as { model?: unknown } | null)?.model;
    const decision = ctx.state.outage.check(kind, Date.now(), typeof model === 'string' ? model : '');
    if (decision === undefined) return handler(ctx);
    if (decision.reply === undefined) return ctx.sink.destroy();
    return sendError(ctx.sink, decision.reply);
  };
}

/** The handler for a request path (/api/v1/... or the /__fake control surface), or a 404 JSON error handler. */
export function findHandler(method: string, pathname: string): Handler {
  const trimmed = pathname.replace(/\/+$/, '');
  if (trimmed.startsWith('/__fake/')) {
    return findControl(method, trimmed.slice('/__fake'.length)) ?? ((ctx) => sendError(ctx.sink, errorReply(404, 'Not Found')));
  }
  const prefix = '/api/v1';
  const path = pathname.startsWith(`${prefix}/`) ? trimmed.slice(prefix.length) : '';
  const route = `${method} ${path}`;
  const handler = ROUTES[route];
  return handler === undefined ? (ctx) => sendError(ctx.sink, errorReply(404, 'Not Found')) : guardedByOutage(route, handler);
}
