import type { ChatPart } from '../chat/parts.ts';
import { UpstreamError } from '../errors.ts';
import type { PartSource } from '../streams/part-source.ts';
import type { Sink, Stage } from '../streams/stage.ts';
import type { BodyRead } from './watchdog.ts';

export interface UpstreamPartsOptions {
  /** Bytes → part batches: the synchronous stages (utf8 → SSE → chat parts), chained. */
  stage: Stage<Uint8Array, ChatPart[]>;
  /** One read of the body; the watchdog's, so that silence is timed only while a read is outstanding. */
  read: (reader: ReadableStreamDefaultReader<Uint8Array>) => BodyRead;
  /** Turns whatever broke the body (reset, timeout, abort) into the error the client should see. */
  toError: (cause: unknown) => UpstreamError;
  /** The client's own signal: once it aborts there is nobody to report to. */
  clientSignal: AbortSignal;
  /** Runs exactly once, however the source ends (done, error part, failure, or cancel). */
  onEnd: () => void;
  /** Told when a pull starts waiting for parts (true) and when it has them (false): the watchdog's keep-alive bound. */
  waiting?: (waiting: boolean) => void;
}

/**
 * Reads an upstream body straight from its reader as part batches. A transport failure (reset,
 * timeout) becomes a final error part, so consumers always end cleanly. When the client itself went
 * away, `next` rejects instead: that is not the model's failure and must not look like one (no
 * error part, so no cooldown), nor like a clean end (so no success either).
 */
export function readUpstreamParts(reader: ReadableStreamDefaultReader<Uint8Array>, options: UpstreamPartsOptions): PartSource {
  const { stage } = options;
  let batch: ChatPart[] | undefined;
  // The stages may emit several batches for one read; they are joined so one read is one batch.
  const sink: Sink<ChatPart[]> = { enqueue: (parts) => void (batch = batch === undefined ? parts : batch.concat(parts)) };
  let ended = false;
  const end = (): void => {
    if (ended) return;
    ended = true;
    options.onEnd();
  };

  async function next(): Promise<ChatPart[] | undefined> {
    options.waiting?.(true);
    try {
      return await nextBatch();
    } finally {
      options.waiting?.(false);
    }
  }

  async function nextBatch(): Promise<ChatPart[] | undefined> {
    // A read that yields no parts (a keep-alive comment, half an event) is followed by another.
    while (!ended) {
      let chunk: Awaited<BodyRead>;
      try {
        chunk = await options.read(reader);
      } catch (cause) {
        end();
        batch = undefined;
        if (options.clientSignal.aborted) throw options.toError(cause);
        return [{ type: 'error', error: options.toError(cause) }];
      }
      try {
        if (chunk.done) {
          stage.flush?.(sink);
          end();
        } else {
          stage.transform(chunk.value, sink);
        }
      } catch (cause) {
        // The bytes arrived but cannot be read (an SSE line past its limit, say): the upstream's
        // failure, not the connection's, and the connection is still open, so let go of it.
        end();
        batch = undefined;
        reader.cancel().catch(() => {});
        return [{ type: 'error', error: unreadable(cause) }];
      }
      const parts = batch;
      batch = undefined;
      if (parts === undefined) continue;
      // An error is always the last part and ends the stream: let go of the rest of the body.
      if (parts[parts.length - 1]?.type === 'error' && !ended) {
        end();
        reader.cancel().catch(() => {});
      }
      return parts;
    }
    return undefined;
  }

  return {
    next,
    async cancel(reason) {
      end();
      await reader.cancel(reason).catch(() => {});
    },
  };
}

/** The error for upstream data the stages could not read. */
function unreadable(cause: unknown): UpstreamError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new UpstreamError(502, `OpenRouter sent a stream the proxy cannot read: ${detail}`, 'transient', { cause });
}
