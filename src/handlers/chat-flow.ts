import type { CatalogModel } from '../catalog/model-info.ts';
import type { RequestNeeds, RoutedResult } from '../catalog/routing.ts';
import type { ChatRequest } from '../openrouter/types.ts';
import type { UpstreamError } from '../openrouter/upstream-error.ts';
import { chunkHasContent, type ChatPart } from '../streams/chat-parts.ts';
import { replayThen } from '../streams/guard.ts';
import type { StreamTiming } from '../streams/ollama-lines.ts';
import type { HandlerContext } from './context.ts';

export interface Routed<T> {
  parts: T;
  timing: StreamTiming;
}

type ToUpstream = (model: CatalogModel) => ChatRequest;

/** Plans a chat and runs it across models; `consume` decides how much of each attempt's stream must succeed. */
async function routeChat<T>(
  context: HandlerContext,
  requestedModel: string,
  needs: RequestNeeds,
  toUpstream: ToUpstream,
  signal: AbortSignal,
  consume: (parts: ReadableStream<ChatPart[]>, model: CatalogModel) => Promise<T>,
  success: 'now' | 'later',
): Promise<RoutedResult<Routed<T>>> {
  const startedAt = context.clock.monotonic();
  const plan = context.router.plan(requestedModel, needs);
  return context.router.run(
    plan,
    async (model) => {
      const opened = await context.client.chatStream(toUpstream(model), signal);
      return { parts: await consume(opened.parts, model), timing: { startedAt, headersAt: opened.headersAt } };
    },
    signal,
    success,
  );
}

/**
 * Routes a streamed chat: each attempt opens the upstream stream and reads ahead to the first part
 * a client would see. A failure up to that point moves on to the next model; after it, the answer
 * is committed and a failure is reported inside the stream (and still recorded as a cooldown).
 */
export function routeChatStream(context: HandlerContext, requestedModel: string, needs: RequestNeeds, toUpstream: ToUpstream, signal: AbortSignal) {
  return routeChat(
    context, requestedModel, needs, toUpstream, signal,
    (parts, model) => primeStream(parts, (error) => context.router.recordLateFailure(model, error), () => context.router.recordLateSuccess(model)),
    'later',
  );
}

/**
 * Routes a chat whose client wants one answer: the whole upstream stream is read inside the attempt,
 * so a failure anywhere in it can still fall back to the next model.
 */
export function routeChatCollected(context: HandlerContext, requestedModel: string, needs: RequestNeeds, toUpstream: ToUpstream, signal: AbortSignal) {
  return routeChat(context, requestedModel, needs, toUpstream, signal, async (parts) => {
    const collected: ChatPart[] = [];
    for await (const batch of parts) {
      for (const part of batch) {
        if (part.type === 'error') throw part.error;
        collected.push(part);
      }
    }
    return collected;
  }, 'now');
}

/** Reads ahead to the first part with content; throws the stream's error if it fails before that. */
async function primeStream(parts: ReadableStream<ChatPart[]>, onLateError: (error: UpstreamError) => void, onCleanEnd: () => void): Promise<ReadableStream<ChatPart[]>> {
  const reader = parts.getReader();
  const buffered: ChatPart[][] = [];
  for (let committed = false; !committed; ) {
    const { done, value } = await reader.read();
    if (done) break;
    for (const part of value) {
      if (part.type === 'error') {
        await reader.cancel().catch(() => {});
        throw part.error;
      }
      if (chunkHasContent(part.chunk)) {
        committed = true;
        break;
      }
    }
    buffered.push(value);
  }
  let failed = false;
  return replayThen(
    buffered,
    reader,
    (batch) => {
      const last = batch[batch.length - 1];
      if (last?.type !== 'error') return;
      failed = true;
      onLateError(last.error);
    },
    () => {
      if (!failed) onCleanEnd();
    },
  );
}
