/*
 * The fake's control surface, outside /api/v1 so no OpenRouter client ever reaches it. It lets shell
 * users and other processes drive a standalone fake (`node src/fake-openrouter/main.ts`):
 *
 *   POST   /__fake/outage  {"status":503,"durationMs":30000,"retryAfterSeconds":5}  start an outage
 *          status: 500 | 502 | 503 | 401 | "reset" (connection dropped before headers), or 429: a burst
 *          of provider rate limits on every model ("... is temporarily rate-limited upstream");
 *          optional "message" and "includeReadRoutes" (also fail GET /models* and /key).
 *   GET    /__fake/outage  → {"outage":{"active","endsAt","refused"}}
 *   DELETE /__fake/outage  ends it early.
 *
 * No auth: the fake listens on loopback only.
 */
import { sendError, sendJson } from './context.ts';
import type { HandlerContext } from './context.ts';
import { errorReply } from './errors.ts';
import { parseOutageOptions } from './outage.ts';

type ControlHandler = (ctx: HandlerContext) => void;

function startOutage(ctx: HandlerContext): void {
  const options = parseOutageOptions(ctx.body);
  if (typeof options === 'string') return sendError(ctx.sink, errorReply(400, options));
  sendJson(ctx.sink, 200, { outage: ctx.state.outage.start(options, Date.now()) });
}

function showOutage(ctx: HandlerContext): void {
  sendJson(ctx.sink, 200, { outage: ctx.state.outage.status(Date.now()) });
}

function endOutage(ctx: HandlerContext): void {
  ctx.state.outage.end();
  showOutage(ctx);
}

const CONTROLS: Record<string, ControlHandler> = {
  'POST /outage': startOutage,
  'GET /outage': showOutage,
  'DELETE /outage': endOutage,
};

/** The control handler for a method and a path below /__fake, if any. */
export function findControl(method: string, subpath: string): ControlHandler | undefined {
  return CONTROLS[`${method} ${subpath}`];
}
