import type { ChatPart, ChunkPart } from '../../chat/parts.ts';
import { toTransformer, type Stage } from '../../streams/stage.ts';
import { toOpenAIErrorBody } from './errors.ts';

const encoder = new TextEncoder();

/** Relays a chunk as the exact JSON OpenRouter sent, so nothing is lost (tool-call deltas, reasoning, usage, provider fields). */
export const relayChunkData = (part: ChunkPart): string | undefined => part.data;

/**
 * Chat part batches → OpenAI SSE bytes. `toData` turns a chunk into an event's JSON (or skips it);
 * an error becomes an SSE `error` payload, which the `openai` client raises; a clean end gets
 * `data: [DONE]`.
 */
export function openAISseEncoderStage(toData: (part: ChunkPart) => string | undefined = relayChunkData): Stage<ChatPart[], Uint8Array> {
  let failed = false;
  return {
    transform(parts, sink) {
      let text = '';
      for (const part of parts) {
        if (failed) break;
        if (part.type === 'error') {
          failed = true;
          text += `data: ${JSON.stringify(toOpenAIErrorBody(part.error))}\n\n`;
          continue;
        }
        const data = toData(part);
        if (data !== undefined) text += `data: ${data}\n\n`;
      }
      if (text !== '') sink.enqueue(encoder.encode(text));
    },
    flush(sink) {
      if (!failed) sink.enqueue(encoder.encode('data: [DONE]\n\n'));
    },
  };
}

/** The OpenAI SSE stage as a TransformStream. */
export class OpenAISseEncoderStream extends TransformStream<ChatPart[], Uint8Array> {
  constructor(toData?: (part: ChunkPart) => string | undefined) {
    super(toTransformer(openAISseEncoderStage(toData)));
  }
}
