// Maps method + path (under /api/v1) to handlers; also the small read-only routes.
import { filterModels, listModels } from './catalog.ts';
import { handleChat } from './chat.ts';
import { bearerToken, rejectUnauthenticated, sendError, sendJson } from './context.ts';
import type { HandlerContext } from './context.ts';
import { handleEmbeddings } from './embeddings.ts';
import { errorReply, USER_ID } from './errors.ts';

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

// A free-tier key without a credit limit; `usage` grows with the cost of replies served.
function handleKey(ctx: HandlerContext): void {
  if (rejectUnauthenticated(ctx)) return;
  const token = bearerToken(ctx.headers) ?? '';
  const usage = Number(ctx.state.usageUsd.toPrecision(10));
  sendJson(ctx.sink, 200, {
    data: {
      label: `${token.slice(0, 12)}...${token.slice(-3)}`,
      limit: null, limit_remaining: null, limit_reset: null, include_byok_in_limit: false,
      usage, usage_daily: usage, usage_weekly: usage, usage_monthly: usage,
      byok_usage: 0, byok_usage_daily: 0, byok_usage_weekly: 0, byok_usage_monthly: 0,
      is_free_tier: true, is_management_key: false, is_provisioning_key: false,
      creator_user_id: USER_ID, expires_at: null,
      rate_limit: { requests: -1, interval: '10s', note: 'This field is deprecated and safe to ignore.' },
    },
  });
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

/** The handler for a request path (including the /api/v1 prefix), or a 404 JSON error handler. */
export function findHandler(method: string, pathname: string): Handler {
  const prefix = '/api/v1';
  const path = pathname.startsWith(`${prefix}/`) ? pathname.slice(prefix.length).replace(/\/+$/, '') : '';
  return ROUTES[`${method} ${path}`] ?? ((ctx) => sendError(ctx.sink, errorReply(404, 'Not Found')));
}
