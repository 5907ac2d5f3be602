// Answer events for encoder tests, made the way the proxy makes them: OpenRouter chunks (as a test
// writes them) through the real boundary stage (src/openrouter/answer-stage.ts).
import type { AnswerEvent } from '../../src/chat/answer.ts';
import type { ChatChunk } from '../../src/chat/wire.ts';
import { UpstreamError } from '../../src/errors.ts';
import { answerStage } from '../../src/openrouter/answer-stage.ts';

/** What an upstream read carries: chunks, or the failure that broke the body. */
export type UpstreamItem = ChatChunk | UpstreamError;

/** A chunk with one choice: `delta`, and a finish reason when given. */
export const deltaChunk = (delta: NonNullable<NonNullable<ChatChunk['choices']>[number]['delta']>, finish_reason: string | null = null): ChatChunk => ({ choices: [{ index: 0, delta, finish_reason }] });

/**
 * The event batches of an upstream stream given as batches of chunks (one batch per network read). A
 * stream that does not fail ends with `[DONE]`, as OpenRouter's do, unless `done` is false.
 */
export function eventsFrom(batches: readonly (readonly UpstreamItem[])[], options: { done?: boolean } = {}): AnswerEvent[][] {
  const stage = answerStage(() => 0);
  const out: AnswerEvent[][] = [];
  const sink = { enqueue: (events: AnswerEvent[]) => void out.push(events) };
  let failed = false;
  for (const batch of batches) {
    const events = batch.filter((item): item is ChatChunk => !(item instanceof UpstreamError)).map((chunk) => ({ data: JSON.stringify(chunk) }));
    if (events.length > 0) stage.transform(events, sink);
    const error = batch.find((item): item is UpstreamError => item instanceof UpstreamError);
    if (error !== undefined) {
      failed = true;
      stage.transform(error, sink);
    }
  }
  if (!failed && options.done !== false) stage.transform([{ data: '[DONE]' }], sink);
  stage.flush?.(sink);
  return out;
}
