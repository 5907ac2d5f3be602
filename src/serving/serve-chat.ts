import type { ParsedRequest, Reply } from '../http/url-router.ts';
import { DEFAULT_KEEP_ALIVE_MS } from '../store/recent-models.ts';
import { routingHeaders, type HandlerContext } from './context.ts';
import type { ChatDialect, ChatIntent } from './dialect.ts';

/**
 * Serves one chat request in a dialect of the client API `api`: route the converted request through
 * the core, then encode the answer, streamed or whole, in the client's API. Every chat endpoint is
 * this plus its dialect.
 */
export async function serveChat<I extends ChatIntent>(context: HandlerContext, request: ParsedRequest, api: string, dialect: ChatDialect<I>): Promise<Reply> {
  const { core, clock } = context;
  const intent = dialect.parse(request.body, context.config);
  const local = dialect.answerLocally?.(intent, context);
  if (local !== undefined) return local;
  for (const type of intent.droppedTools ?? []) context.warnOnce(`dropped-tool:${type}`, 'dropped a tool type the proxy cannot run', { type });
  const route = { api, requestedModel: intent.requestedModel, needs: intent.needs, toUpstream: intent.toUpstream, signal: request.signal };
  const seen = <T>(routed: { model: Parameters<typeof routingHeaders>[0]; attempts: number; value: T }): Record<string, string> => {
    // Every API's clients use models too: /api/ps should show them.
    context.recent.touch(intent.requestedModel, routed.model, intent.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS);
    return routingHeaders(routed.model, routed.attempts);
  };
  if (intent.stream) {
    const routed = await core.stream(route);
    try {
      const encoder = dialect.encode(intent, { model: routed.model, timing: routed.timing, clock });
      return { stream: routed.value.reply(encoder), contentType: dialect.streamContentType, headers: seen(routed) };
    } catch (error) {
      // Nothing will read the committed answer now: let go of the upstream instead of holding it open.
      await routed.value.cancel(error);
      throw error;
    }
  }
  const answer = dialect.collect;
  if (answer.from === 'completion') {
    const routed = await core.complete(route);
    return { json: answer.build(intent, routed.value), headers: seen(routed) };
  }
  const routed = await core.collect(route);
  return { json: answer.build(intent, routed.value, { model: routed.model, timing: routed.timing, clock }), headers: seen(routed) };
}
