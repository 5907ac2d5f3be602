import type { AnswerEvent } from '../../chat/answer.ts';
import type { Stage } from '../../streams/stage.ts';
import { toOpenAIErrorBody } from './errors.ts';
import { toChatChunkData, type ChunkFrame } from './to-chat-chunks.ts';

const encoder = new TextEncoder();

/** Relays a chunk as the exact JSON OpenRouter sent, so nothing is lost (tool-call deltas, reasoning, usage, provider fields). */
export const relayChunkData = (data: string): string | undefined => data;

/**
 * Answer event batches → OpenAI SSE bytes: the relay. It writes each upstream chunk's own JSON (the
 * `raw` events), through `toData` (which may reshape or skip it); an error becomes an SSE `error`
 * payload, which the `openai` client raises; a clean end gets `data: [DONE]`. An answer the proxy made
 * itself has no upstream chunks: given its `frame`, its events are written as the chunks instead.
 */
export function openAISseEncoderStage(toData: (data: string) => string | undefined = relayChunkData, frame?: ChunkFrame): Stage<AnswerEvent[], Uint8Array> {
  let failed = false;
  return {
    transform(events, sink) {
      let text = '';
      for (const event of events) {
        if (failed) break;
        if (event.type === 'error') {
          failed = true;
          text += `data: ${JSON.stringify(toOpenAIErrorBody(event.error))}\n\n`;
          continue;
        }
        const chunk = event.type === 'raw' ? event.data : frame !== undefined ? toChatChunkData(event, frame) : undefined;
        if (chunk === undefined) continue;
        const data = toData(chunk);
        if (data !== undefined) text += `data: ${data}\n\n`;
      }
      if (text !== '') sink.enqueue(encoder.encode(text));
    },
    flush(sink) {
      if (!failed) sink.enqueue(encoder.encode('data: [DONE]\n\n'));
    },
  };
}
