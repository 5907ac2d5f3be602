import type { ChatPart } from '../chat/parts.ts';
import type { UpstreamError } from '../errors.ts';

// Every stage from the SSE parser on carries batches: all the parts one network read produced.

export interface GuardOptions {
  /** Turns whatever broke the source (reset, timeout, abort) into the error the client should see. */
  toError: (cause: unknown) => UpstreamError;
  /** The client's own signal: once it aborts there is nobody to report to. */
  clientSignal: AbortSignal;
  /** Runs exactly once, however the stream ends (done, error, or cancelled by the consumer). */
  onEnd: () => void;
}

/**
 * Makes transport failures travel inside the stream: when `source` errors (reset, timeout), the
 * error becomes a final `error` part, so later stages always end cleanly. When the client itself
 * went away the stream errors instead: that is not the model's failure, and must not look like one
 * (no error part, so no cooldown), nor like a clean end (so no success either).
 */
export function guardChatStream(source: ReadableStream<ChatPart[]>, options: GuardOptions): ReadableStream<ChatPart[]> {
  const reader = source.getReader();
  let ended = false;
  const end = (): void => {
    if (ended) return;
    ended = true;
    options.onEnd();
  };
  return new ReadableStream<ChatPart[]>(
    {
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (done) {
            end();
            return controller.close();
          }
          controller.enqueue(value);
          // An error is always the last part of its batch and ends the stream.
          if (value[value.length - 1]?.type === 'error') {
            end();
            controller.close();
            await reader.cancel().catch(() => {});
          }
        } catch (cause) {
          end();
          if (options.clientSignal.aborted) return controller.error(options.toError(cause));
          controller.enqueue([{ type: 'error', error: options.toError(cause) }]);
          controller.close();
        }
      },
      async cancel(reason) {
        end();
        await reader.cancel(reason).catch(() => {});
      },
    },
    { highWaterMark: 0 },
  );
}
