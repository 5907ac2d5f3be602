// The commit point of a streamed answer, and the watch that records how it ended.
import { chunkHasContent, type ChatPart } from '../chat/parts.ts';
import type { UpstreamError } from '../errors.ts';
import type { PartSource } from '../streams/part-source.ts';

/** Batches already read from a source, and the source of the rest. */
export interface ReadAhead {
  buffered: ChatPart[][];
  source: PartSource;
}

/**
 * Reads ahead to the first part with content (what a client would see, not a bare role
 * announcement). Throws the stream's error if it fails before that, so the attempt can fall back.
 */
export async function readToFirstContent(source: PartSource): Promise<ReadAhead> {
  const buffered: ChatPart[][] = [];
  for (let committed = false; !committed; ) {
    const batch = await source.next();
    if (batch === undefined) break;
    for (const part of batch) {
      if (part.type === 'error') {
        await source.cancel();
        throw part.error;
      }
      if (chunkHasContent(part.chunk)) {
        committed = true;
        break;
      }
    }
    buffered.push(batch);
  }
  return { buffered, source };
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
 * Replays the read-ahead batches, then the rest of the source, and reports how it ended: an error
 * part (always the last) is a failure, the source's end without one is a clean end. A consumer
 * that cancels (the client left) reports neither: that is not the model's doing.
 */
export function watchOutcome(ahead: ReadAhead, hooks: OutcomeHooks): PartSource {
  const { buffered, source } = ahead;
  let reported = false;
  return {
    async next() {
      const batch = buffered.shift() ?? (await source.next());
      if (batch !== undefined) hooks.onBatch?.(batch);
      if (reported) return batch;
      const last = batch?.[batch.length - 1];
      if (batch === undefined || last?.type === 'error') {
        reported = true;
        if (last?.type === 'error') hooks.onFailure(last.error);
        else hooks.onCleanEnd();
        hooks.onDone?.();
      }
      return batch;
    },
    cancel(reason) {
      // The client went away before the end: neither a failure nor a success, but the log row ends.
      if (!reported) hooks.onCancel?.();
      reported = true;
      return source.cancel(reason);
    },
  };
}
