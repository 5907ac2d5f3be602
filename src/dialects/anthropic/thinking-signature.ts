// Anthropic signs each thinking block so that only its own servers can vouch for it. The proxy cannot
// make that signature, but clients treat an empty one as "not a real thinking block": pi sends such a
// block back as visible text. So each block gets a non-empty, opaque signature of our own. Nothing
// checks it when the block comes back: any thinking block in history goes to the model as reasoning.
import { createHash } from 'node:crypto';

const PREFIX = 'oorp1.';

/** An opaque, non-empty signature for a thinking block: the same text always gets the same one. */
export function thinkingSignature(thinking: string): string {
  return PREFIX + createHash('sha256').update(thinking).digest('base64url');
}
