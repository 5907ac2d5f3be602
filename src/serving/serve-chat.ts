import { localAnswerEvents } from '../chat/answer.ts';
import { estimateTokens } from '../chat/estimate-tokens.ts';
import type { Routed } from '../core/routed-chat.ts';
import type { ParsedRequest, Reply } from '../http/url-router.ts';
import { fitToModel } from '../routing/fit-to-model.ts';
import type { RequestNeeds } from '../routing/model-router.ts';
import { outputOf } from '../routing/structured-output.ts';
import { DEFAULT_KEEP_ALIVE_MS } from '../store/recent-models.ts';
import { routingHeaders, type HandlerContext } from './context.ts';
import type { ChatDialect, ChatIntent } from './dialect.ts';
import { localTitle, sessionTitleRequest } from './session-title.ts';

/**
 * Serves one chat request in a dialect of the client API `api`: route the converted request through
 * the core (or answer it locally, when the proxy can), then encode the answer, streamed or whole, in
 * the client's API. Every chat endpoint is this plus its dialect.
 */
export async function serveChat<I extends ChatIntent>(context: HandlerContext, request: ParsedRequest, api: string, dialect: ChatDialect<I>): Promise<Reply> {
  const { core, clock } = context;
  const intent = dialect.parse(request.body, context.config);
  const reply = dialect.answerLocally?.(intent, context);
  if (reply !== undefined) return reply;
  for (const type of intent.droppedTools ?? []) context.warnOnce(`dropped-tool:${type}`, 'dropped a tool type the proxy cannot run', { type });
  request.note?.({ requested: intent.requestedModel });
  const needs = quotaNeeds(intent);
  let attempts = 0;
  const toUpstream = (model: Parameters<I['toUpstream']>[0]) => {
    request.note?.({ attempts: ++attempts });
    return fitToModel(intent.toUpstream(model), model, needs.promptTokens);
  };
  const route = { api, requestedModel: intent.requestedModel, needs, toUpstream, signal: request.signal };
  const seen = <T>(routed: Routed<T>): Record<string, string> => {
    // Every API's clients use models too: /api/ps should show them (not a model the proxy stood in for).
    if (routed.attempts > 0) context.recent.touch(intent.requestedModel, routed.model, intent.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS);
    request.note?.({ model: routed.model.id, attempts: routed.attempts });
    return routingHeaders(routed.model, routed.attempts);
  };
  const local = localAnswerOf(context, intent);
  const answerOf = <T>(routed: Routed<T>) => ({ model: routed.model, timing: routed.timing, clock, origin: local === undefined ? ('upstream' as const) : ('local' as const) });
  if (intent.stream) {
    const routed = local !== undefined ? core.answerLocally(route, local) : await core.stream(route);
    try {
      const encoder = dialect.encode(intent, answerOf(routed));
      return { stream: routed.value.reply(encoder, context.shutdown?.graceOver), contentType: dialect.streamContentType, headers: seen(routed) };
    } catch (error) {
      // Nothing will read the committed answer now: let go of the upstream instead of holding it open.
      await routed.value.cancel(error);
      throw error;
    }
  }
  const collect = dialect.collect;
  if (local !== undefined) {
    const routed = core.answerLocally(route, local);
    const whole = routed.value.whole();
    return { json: collect.from === 'completion' ? collect.local(intent, whole, answerOf(routed)) : collect.build(intent, whole, answerOf(routed)), headers: seen(routed) };
  }
  if (collect.from === 'completion') {
    const routed = await core.complete(route);
    return { json: collect.build(intent, routed.value), headers: seen(routed) };
  }
  const routed = await core.collect(route);
  return { json: collect.build(intent, routed.value, answerOf(routed)), headers: seen(routed) };
}

// What the free quota's routing needs beyond the dialect's own needs: the prompt's size, and the structured output asked for.
function quotaNeeds(intent: ChatIntent): RequestNeeds {
  const output = outputOf(intent.chat);
  return { ...intent.needs, promptTokens: estimateTokens(intent.chat), ...(output === undefined ? {} : { output }) };
}

// A session-title request (LOCAL_TITLES, on by default in free mode) is answered by the proxy: the
// title as the JSON its schema asks for, as answer events that every dialect encodes.
function localAnswerOf(context: HandlerContext, intent: ChatIntent) {
  const session = context.config.localTitles ? sessionTitleRequest(intent.chat) : undefined;
  if (session === undefined) return undefined;
  context.router.resilience().savings.save('session_title');
  const text = JSON.stringify({ title: localTitle(session) });
  const prompt = estimateTokens(intent.chat).tokens;
  const completion = Math.ceil(text.length / 4);
  return localAnswerEvents(text, { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion });
}
