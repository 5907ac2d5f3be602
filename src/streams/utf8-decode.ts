/**
 * Bytes → text, keeping a multibyte character that is split across chunks intact. `onChunk` runs
 * for every chunk received, which is how the idle watchdog learns the upstream is still alive.
 */
export class Utf8DecodeStream extends TransformStream<Uint8Array, string> {
  constructor(onChunk: () => void = () => {}) {
    const decoder = new TextDecoder('utf-8');
    super({
      transform(chunk, controller) {
        onChunk();
        const text = decoder.decode(chunk, { stream: true });
        if (text !== '') controller.enqueue(text);
      },
      flush(controller) {
        const rest = decoder.decode();
        if (rest !== '') controller.enqueue(rest);
      },
    });
  }
}
