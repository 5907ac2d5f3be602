import { toOpenAIErrorBody } from '../http/errors.ts';
import type { ChatPart } from './chat-parts.ts';

const encoder = new TextEncoder();

/** Chat parts → legacy `/v1/completions` SSE bytes (`object: "text_completion"`, `choices[].text`). */
export class CompletionSseEncoderStream extends TransformStream<ChatPart, Uint8Array> {
  constructor() {
    let failed = false;
    const send = (controller: TransformStreamDefaultController<Uint8Array>, payload: unknown): void =>
      controller.enqueue(encoder.encode(`data: ${JSON.stringify(payload)}\n\n`));
    super({
      transform(part, controller) {
        if (failed) return;
        if (part.type === 'error') {
          failed = true;
          return send(controller, toOpenAIErrorBody(part.error));
        }
        // `created` is not declared on chunks (it is unused elsewhere), but OpenRouter sends one per stream.
        const chunk = part.chunk as typeof part.chunk & { created?: number };
        const choice = chunk.choices?.[0];
        const text = choice?.delta?.content ?? '';
        if (text === '' && !choice?.finish_reason && chunk.usage === undefined) return;
        send(controller, {
          id: chunk.id,
          object: 'text_completion',
          created: chunk.created ?? Math.floor(Date.now() / 1000),
          model: chunk.model,
          choices: choice === undefined ? [] : [{ text, index: 0, finish_reason: choice.finish_reason ?? null, logprobs: null }],
          ...(chunk.usage ? { usage: chunk.usage } : {}),
        });
      },
      flush(controller) {
        if (!failed) controller.enqueue(encoder.encode('data: [DONE]\n\n'));
      },
    });
  }
}
