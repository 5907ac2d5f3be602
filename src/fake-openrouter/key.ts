// GET /key (and the legacy /auth/key): what OpenRouter says about the calling key and its account.
import { bearerToken, rejectUnauthenticated, sendJson } from './context.ts';
import type { HandlerContext } from './context.ts';
import { USER_ID } from './errors.ts';
import type { KeyOptions } from './types.ts';

// Deprecated and meaningless upstream, but still sent; values as seen on free and paid keys.
const FREE_RATE_LIMIT = { requests: -1, interval: '10s', note: 'This field is deprecated and safe to ignore.' };
const PAID_RATE_LIMIT = { requests: 1000, interval: '1h', note: 'This field is deprecated and safe to ignore.' };

function usd(value: number): number {
  return Number(value.toPrecision(10));
}

/** The `data` object of GET /key for a token, account options and the credits spent so far. */
export function keyInfo(token: string, key: KeyOptions, spentUsd: number): Record<string, unknown> {
  const usage = usd((key.usage ?? 0) + spentUsd);
  const limit = key.limit ?? null;
  const isFreeTier = key.isFreeTier ?? true;
  return {
    label: `${token.slice(0, 12)}...${token.slice(-3)}`,
    limit,
    // Never negative: a key past its limit reports 0 remaining.
    limit_remaining: limit === null ? null : usd(Math.max(0, limit - usage)),
    limit_reset: limit === null ? null : key.limitReset ?? null,
    include_byok_in_limit: false,
    usage, usage_daily: usage, usage_weekly: usage, usage_monthly: usage,
    byok_usage: 0, byok_usage_daily: 0, byok_usage_weekly: 0, byok_usage_monthly: 0,
    is_free_tier: isFreeTier, is_management_key: false, is_provisioning_key: false,
    creator_user_id: USER_ID, expires_at: null,
    rate_limit: isFreeTier ? FREE_RATE_LIMIT : PAID_RATE_LIMIT,
  };
}

/** Handles GET /key: 401 without a bearer token, else `{data: keyInfo}`. */
export function handleKey(ctx: HandlerContext): void {
  if (rejectUnauthenticated(ctx)) return;
  const token = bearerToken(ctx.headers) ?? '';
  sendJson(ctx.sink, 200, { data: keyInfo(token, ctx.state.key, ctx.state.usageUsd) });
}
