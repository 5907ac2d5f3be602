// The commit point of a streamed answer, and the watch that records how it ended.
import { chunkHasContent, type ChatPart } from '../chat/parts.ts';
import type { UpstreamError } from '../errors.ts';

/** Batches already read from a stream, and the reader of the rest. */
export interface ReadAhead {
  buffered: ChatPart[][];
  reader: ReadableStreamDefaultReader<ChatPart[]>;
}

/**
 * Reads ahead to the first part with content (what a client would see, not a bare role
 * announcement). Throws the stream's error if it fails before that, so the attempt can fall back.
 */
export async function readToFirstContent(parts: ReadableStream<ChatPart[]>): Promise<ReadAhead> {
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
  return { buffered, reader };
}

export interface OutcomeHooks {
  /** The stream ended with an error part (the upstream failed after the commit point). */
  onFailure(error: UpstreamError): void;
  /** The stream reached its end without an error part. */
  onCleanEnd(): void;
  /** Sees every batch on its way to the client (the request log's view). */
  onBatch?(batch: readonly ChatPart[]): void;
  /** The source ended, cleanly or after an error part. */
  onDone?(): void;
  /** The consumer cancelled: the client went away. */
  onCancel?(): void;
}

/**
 * Replays the read-ahead batches, then the rest of the stream, and reports how it ended: an error
 * part (always the last) is a failure, the source's end without one is a clean end. A consumer
 * that cancels (the client left) reports neither: that is not the model's doing.
 */
export function watchOutcome(ahead: ReadAhead, hooks: OutcomeHooks): ReadableStream<ChatPart[]> {
  const { buffered, reader } = ahead;
  let index = 0;
  let failed = false;
  const see = (batch: ChatPart[]): ChatPart[] => {
    hooks.onBatch?.(batch);
    const last = batch[batch.length - 1];
    if (last?.type === 'error' && !failed) {
      failed = true;
      hooks.onFailure(last.error);
    }
    return batch;
  };
  return new ReadableStream<ChatPart[]>(
    {
      async pull(controller) {
        if (index < buffered.length) return controller.enqueue(see(buffered[index++] as ChatPart[]));
        const { done, value } = await reader.read();
        if (!done) return controller.enqueue(see(value));
        if (!failed) hooks.onCleanEnd();
        hooks.onDone?.();
        controller.close();
      },
      cancel(reason) {
        hooks.onCancel?.();
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
