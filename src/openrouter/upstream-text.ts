// Upstream text on its way to a client: an error message, or a quote of data the proxy could not
// read. Either may echo the proxy's own OpenRouter key (an upstream that repeats the Authorization
// header, a provider that quotes the request), and either may be huge.
import { redactText } from '../recording/redact.ts';

// Long enough for any real error (OpenRouter's, with the provider's cause); an error body may be 64 KB.
const MAX_MESSAGE_CHARS = 1000;
const MAX_QUOTE_CHARS = 120;
// Redaction looks this far past a cut, so a key that straddles it is still found whole.
const KEY_MARGIN = 200;

/** An upstream error message as a client may see it: secrets and key-shaped strings redacted, at most 1,000 characters. */
export function upstreamText(text: string, secrets: readonly string[]): string {
  return cut(redactText(text.slice(0, MAX_MESSAGE_CHARS + KEY_MARGIN), secrets), MAX_MESSAGE_CHARS);
}

/** The start of a piece of upstream data, for an error that names it: redacted, at most 120 characters. */
export function quoteUpstreamData(data: string, secrets: readonly string[]): string {
  return cut(redactText(data.slice(0, MAX_QUOTE_CHARS + KEY_MARGIN), secrets), MAX_QUOTE_CHARS);
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
