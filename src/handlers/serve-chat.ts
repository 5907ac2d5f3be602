import type { ChatDialect, ChatIntent } from '../dialects/dialect.ts';
import type { ParsedRequest, Reply } from '../http/url-router.ts';
import { DEFAULT_KEEP_ALIVE_MS } from '../store/recent-models.ts';
import { partSourceStream } from '../streams/part-source.ts';
import { routingHeaders, type HandlerContext } from './context.ts';

/**
 * Serves one chat request in a dialect: route the converted request through the core, then encode
 * the answer, streamed or whole, in the client's API. Every chat endpoint is this plus its dialect.
 */
export async function serveChat<I extends ChatIntent>(context: HandlerContext, request: ParsedRequest, dialect: ChatDialect<I>, parsed?: I): Promise<Reply> {
  const { core, clock } = context;
  const intent = parsed ?? dialect.parse(request.body, context.config);
  for (const type of intent.droppedTools ?? []) context.warnOnce(`dropped-tool:${type}`, 'dropped a tool type the proxy cannot run', { type });
  const route = { api: dialect.api, requestedModel: intent.requestedModel, needs: intent.needs, toUpstream: intent.toUpstream, signal: request.signal };
  const seen = <T>(routed: { model: Parameters<typeof routingHeaders>[0]; attempts: number; value: T }): Record<string, string> => {
    // Every API's clients use models too: /api/ps should show them.
    context.recent.touch(intent.requestedModel, routed.model, intent.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS);
    return routingHeaders(routed.model, routed.attempts);
  };
  if (intent.stream) {
    const routed = await core.stream(route);
    try {
      const encoder = dialect.encodeStream(intent, { model: routed.model, timing: routed.timing, clock });
      return { stream: partSourceStream(routed.value, encoder, context.shutdown?.graceOver), contentType: dialect.streamContentType, headers: seen(routed) };
    } catch (error) {
      // Nothing will read the committed answer now: let go of the upstream instead of holding it open.
      await routed.value.cancel(error);
      throw error;
    }
  }
  const answer = dialect.nonStream;
  if (answer.from === 'completion') {
    const routed = await core.complete(route);
    return { json: answer.build(intent, routed.value), headers: seen(routed) };
  }
  const routed = await core.collect(route);
  return { json: answer.build(intent, routed.value, { model: routed.model, timing: routed.timing, clock }), headers: seen(routed) };
}
