import type { CatalogModel } from '../catalog/model-info.ts';
import type { RequestNeeds, RoutedResult } from '../catalog/routing.ts';
import type { ChatRequest } from '../openrouter/types.ts';
import type { UpstreamError } from '../openrouter/upstream-error.ts';
import { chunkHasContent, type ChatPart } from '../streams/chat-parts.ts';
import { replayThen } from '../streams/guard.ts';
import type { StreamTiming } from '../streams/ollama-lines.ts';
import type { HandlerContext } from './context.ts';

export interface RoutedStream {
  parts: ReadableStream<ChatPart>;
  timing: StreamTiming;
}

/**
 * Routes a streamed chat: each attempt opens the upstream stream and reads ahead to the first part
 * a client would see. A failure up to that point moves on to the next model; after it, the answer
 * is committed and a failure is reported inside the stream (and still recorded as a cooldown).
 */
export function routeChatStream(
  context: HandlerContext,
  requestedModel: string,
  needs: RequestNeeds,
  toUpstream: (model: CatalogModel) => ChatRequest,
  signal: AbortSignal,
): Promise<RoutedResult<RoutedStream>> {
  const startedAt = context.clock.monotonic();
  const plan = context.router.plan(requestedModel, needs);
  return context.router.run(
    plan,
    async (model) => {
      const opened = await context.client.chatStream(toUpstream(model), signal);
      const parts = await primeStream(opened.parts, (error) => context.router.recordLateFailure(model, error));
      return { parts, timing: { startedAt, headersAt: opened.headersAt } };
    },
    signal,
  );
}

/**
 * Routes a chat whose client wants one answer: the whole upstream stream is read inside the attempt,
 * so a failure anywhere in it can still fall back to the next model.
 */
export function routeChatCollected(
  context: HandlerContext,
  requestedModel: string,
  needs: RequestNeeds,
  toUpstream: (model: CatalogModel) => ChatRequest,
  signal: AbortSignal,
): Promise<RoutedResult<{ parts: ChatPart[]; timing: StreamTiming }>> {
  const startedAt = context.clock.monotonic();
  const plan = context.router.plan(requestedModel, needs);
  return context.router.run(
    plan,
    async (model) => {
      const opened = await context.client.chatStream(toUpstream(model), signal);
      const parts: ChatPart[] = [];
      for await (const part of opened.parts) {
        if (part.type === 'error') throw part.error;
        parts.push(part);
      }
      return { parts, timing: { startedAt, headersAt: opened.headersAt } };
    },
    signal,
  );
}

/** Reads ahead to the first part with content; throws that part's error if the stream fails first. */
async function primeStream(parts: ReadableStream<ChatPart>, onLateError: (error: UpstreamError) => void): Promise<ReadableStream<ChatPart>> {
  const reader = parts.getReader();
  const buffered: ChatPart[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (value.type === 'error') {
      await reader.cancel().catch(() => {});
      throw value.error;
    }
    buffered.push(value);
    if (chunkHasContent(value.chunk)) break;
  }
  return replayThen(buffered, reader, (part) => {
    if (part.type === 'error') onLateError(part.error);
  });
}
