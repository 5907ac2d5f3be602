import type { UpstreamError } from '../openrouter/upstream-error.ts';
import type { ChatPart } from './chat-parts.ts';

/**
 * Makes transport failures travel inside the stream: when `source` errors (reset, abort, timeout),
 * the error becomes a final `error` part, so later stages always end cleanly. `onEnd` runs exactly
 * once, however the stream ends (done, error, or cancelled by the consumer).
 */
export function guardChatStream(source: ReadableStream<ChatPart>, toError: (cause: unknown) => UpstreamError, onEnd: () => void): ReadableStream<ChatPart> {
  const reader = source.getReader();
  let ended = false;
  const end = (): void => {
    if (ended) return;
    ended = true;
    onEnd();
  };
  return new ReadableStream<ChatPart>(
    {
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (done) {
            end();
            return controller.close();
          }
          controller.enqueue(value);
          if (value.type === 'error') {
            end();
            controller.close();
            await reader.cancel().catch(() => {});
          }
        } catch (cause) {
          end();
          controller.enqueue({ type: 'error', error: toError(cause) });
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

/** Replays parts already read, then the rest of `reader`'s stream, showing each later part to `onPart`. */
export function replayThen<T>(buffered: readonly T[], reader: ReadableStreamDefaultReader<T>, onPart: (part: T) => void = () => {}): ReadableStream<T> {
  let index = 0;
  return new ReadableStream<T>(
    {
      async pull(controller) {
        if (index < buffered.length) return controller.enqueue(buffered[index++] as T);
        const { done, value } = await reader.read();
        if (done) return controller.close();
        onPart(value);
        controller.enqueue(value);
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
}
