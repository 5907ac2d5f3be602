// Ollama carries images as bare base64; OpenAI-style upstreams want a data URL with a MIME type,
// which Ollama never sends, so we read it from the image's magic number.

// 24 base64 characters decode to 18 bytes: enough for every signature below (WEBP needs 12).
const SNIFF_CHARS = 24;

const SIGNATURES: Array<{ mime: string; matches: (bytes: Uint8Array) => boolean }> = [
  { mime: 'image/png', matches: (b) => startsWith(b, [0x89, 0x50, 0x4e, 0x47]) },
  { mime: 'image/jpeg', matches: (b) => startsWith(b, [0xff, 0xd8, 0xff]) },
  { mime: 'image/gif', matches: (b) => ascii(b, 0, 4) === 'GIF8' },
  { mime: 'image/webp', matches: (b) => ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP' },
  { mime: 'image/bmp', matches: (b) => ascii(b, 0, 2) === 'BM' },
];

// Upstreams refuse `application/octet-stream` image URLs; JPEG is the most common photo format and
// providers generally sniff the bytes themselves, so it is the least harmful guess.
const FALLBACK_MIME = 'image/jpeg';

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
  return prefix.every((byte, index) => bytes[index] === byte);
}

function ascii(bytes: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...bytes.subarray(start, end));
}

/** The image MIME type of base64 data, read from its first bytes only (never decodes the whole image). */
export function sniffImageMime(base64: string): string {
  const head = Buffer.from(base64.slice(0, SNIFF_CHARS), 'base64');
  return SIGNATURES.find((signature) => signature.matches(head))?.mime ?? FALLBACK_MIME;
}

// Standard alphabet with padding, as Go's base64.StdEncoding decodes it; Go's decoder skips line
// breaks, so they are allowed too. Scans for a bad character rather than matching the whole string
// with a repeated group, which would make the regex engine keep state per character of a large image.
const NOT_BASE64 = /[^A-Za-z0-9+/=]/;

/** True when `s` is non-empty standard base64 (an empty image is never what a client meant). */
export function isBase64(s: string): boolean {
  const compact = s.includes('\n') || s.includes('\r') ? s.replace(/[\r\n]/g, '') : s;
  if (compact.length === 0 || compact.length % 4 !== 0 || NOT_BASE64.test(compact)) return false;
  const padding = compact.indexOf('=');
  // Padding is one or two '=' at the very end.
  return padding === -1 || (padding >= compact.length - 2 && compact.endsWith('='));
}

const IMAGE_DATA_URL_PREFIX = /^data:image\/[A-Za-z0-9.+-]+;base64,/;

/**
 * Strips a `data:image/...;base64,` prefix. Real Ollama rejects data URLs with a 400, but web
 * clients often send them; accepting them costs nothing, and the MIME type is re-sniffed anyway.
 */
export function stripImageDataUrl(s: string): string {
  const match = IMAGE_DATA_URL_PREFIX.exec(s);
  return match ? s.slice(match[0].length) : s;
}
