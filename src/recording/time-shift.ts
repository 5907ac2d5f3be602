// OpenRouter writes when a rate limit lifts as an absolute time (X-RateLimit-Reset, epoch ms, in the
// headers and again in the error body's metadata.headers). Replayed as recorded, a reset that lay a few
// seconds ahead would lie days in the past, and the proxy would no longer wait for it as it did live.
// Replay moves those times by the time since recording; everything else stays byte for byte.

const RESET_IN_BODY = /("X-RateLimit-Reset"\s*:\s*")(\d{12,})(")/gi;

/** A reset header's value moved by `shiftMs` (only epoch-millisecond values; anything else is left alone). */
export function shiftResetHeader(value: string, shiftMs: number): string {
  return /^\d{12,}$/.test(value) ? String(Number(value) + shiftMs) : value;
}

/** Body text with every `"X-RateLimit-Reset":"<epoch ms>"` moved by `shiftMs`. */
export function shiftResetTimes(text: string, shiftMs: number): string {
  return text.includes('X-RateLimit-Reset') || /x-ratelimit-reset/i.test(text) ? text.replace(RESET_IN_BODY, (_, head: string, ms: string, tail: string) => `${head}${Number(ms) + shiftMs}${tail}`) : text;
}
