import type { Stage } from './stage.ts';

/** Bytes → text, keeping a multibyte character that is split across chunks intact. */
export function utf8DecodeStage(): Stage<Uint8Array, string> {
  const decoder = new TextDecoder('utf-8');
  return {
    transform(chunk, sink) {
      const text = decoder.decode(chunk, { stream: true });
      if (text !== '') sink.enqueue(text);
    },
    flush(sink) {
      const rest = decoder.decode();
      if (rest !== '') sink.enqueue(rest);
    },
  };
}
