/** Bytes → text, keeping a multibyte character that is split across chunks intact. */
export class Utf8DecodeStream extends TransformStream<Uint8Array, string> {
  constructor() {
    const decoder = new TextDecoder('utf-8');
    super({
      transform(chunk, controller) {
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
