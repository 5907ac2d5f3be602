// Redaction of what a recording keeps. A recorded request body is the proxy's own upstream body, so
// it never holds the Authorization header; but a prompt or a tool result may paste a key, and the
// recording is meant to be committed. The logger's redact() does not fit: it also hides content,
// which a recording must keep.

// OpenRouter/OpenAI/Anthropic-style keys and bearer tokens anywhere in free text.
const KEY_IN_TEXT = /\b(?:sk|pk|rk)-[A-Za-z0-9][A-Za-z0-9_-]{15,}/g;
const BEARER_IN_TEXT = /(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi;
// Properties whose whole value is a credential.
const SECRET_KEY = /^(authorization|api[-_]?key|x-api-key|access[-_]?token|password|secret)$/i;

/** Replaces key-like strings and bearer tokens in text (and any of `secrets` verbatim) with "[redacted]". */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 8) out = out.split(secret).join('[redacted]');
  return out.replace(KEY_IN_TEXT, '[redacted]').replace(BEARER_IN_TEXT, '$1[redacted]');
}

/** A copy of a JSON value with every credential-looking string redacted; the shape is kept. */
export function redactBody(value: unknown, secrets: readonly string[] = [], key = ''): unknown {
  if (typeof value === 'string') return SECRET_KEY.test(key) ? '[redacted]' : redactText(value, secrets);
  if (Array.isArray(value)) return value.map((item) => redactBody(item, secrets));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [childKey, child] of Object.entries(value)) out[childKey] = redactBody(child, secrets, childKey);
  return out;
}

/** The credential-looking strings inside a JSON value, so that an answer echoing one can be cut too. */
export function findSecrets(value: unknown, key = ''): string[] {
  if (typeof value === 'string') {
    if (SECRET_KEY.test(key)) return [value];
    return [...value.matchAll(KEY_IN_TEXT)].map((m) => m[0]).concat([...value.matchAll(BEARER_IN_TEXT)].map((m) => m[0].slice((m[1] ?? '').length)));
  }
  if (Array.isArray(value)) return value.flatMap((item) => findSecrets(item));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([childKey, child]) => findSecrets(child, childKey));
}
