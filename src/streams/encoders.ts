import { toOpenAIErrorBody } from '../http/errors.ts';
import type { ChatPart } from './chat-parts.ts';

const encoder = new TextEncoder();

/** Objects → NDJSON bytes: one compact object and its newline per chunk, so a line is never split across writes. */
export class NdjsonEncoderStream extends TransformStream<unknown, Uint8Array> {
  constructor() {
    super({
      transform(value, controller) {
        controller.enqueue(encoder.encode(`${JSON.stringify(value)}\n`));
      },
    });
  }
}

/**
 * Chat parts → OpenAI SSE bytes for `/v1`. Chunks are relayed as the exact JSON OpenRouter sent, so
 * nothing is lost (tool-call deltas, reasoning, usage, provider fields); an error becomes an SSE
 * `error` payload, which the `openai` client raises; a clean end gets `data: [DONE]`.
 */
export class OpenAISseEncoderStream extends TransformStream<ChatPart, Uint8Array> {
  constructor() {
    let failed = false;
    super({
      transform(part, controller) {
        if (failed) return;
        if (part.type === 'error') {
          failed = true;
          return controller.enqueue(encoder.encode(`data: ${JSON.stringify(toOpenAIErrorBody(part.error))}\n\n`));
        }
        controller.enqueue(encoder.encode(`data: ${part.data}\n\n`));
      },
      flush(controller) {
        if (!failed) controller.enqueue(encoder.encode('data: [DONE]\n\n'));
      },
    });
  }
}
