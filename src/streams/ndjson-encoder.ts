import type { Stage } from './stage.ts';

const encoder = new TextEncoder();

/**
 * Line batches → NDJSON bytes: the whole batch becomes one chunk of complete lines, so a line is
 * never split across writes, and many lines share one write when they arrived together.
 */
export function ndjsonEncoderStage(): Stage<readonly unknown[], Uint8Array> {
  return {
    transform(values, sink) {
      let text = '';
      for (const value of values) text += `${JSON.stringify(value)}\n`;
      if (text !== '') sink.enqueue(encoder.encode(text));
    },
  };
}
