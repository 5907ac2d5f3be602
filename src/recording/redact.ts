// Redaction of what a recording keeps. A recorded request body is the proxy's own upstream body, so
// it never holds the Authorization header; but a prompt or a tool result may paste a key, and the
// recording is meant to be committed. The logger's redact() does not fit: it also hides content,
// which a recording must keep.

// Credentials with a recognisable shape, anywhere in free text: OpenRouter/OpenAI/Anthropic keys,
// Stripe keys, GitHub tokens, AWS access key ids, Google API keys, Slack tokens, and JWTs. Agent
// sessions paste .env files and shell output into tool results, so these do turn up in prompts.
const KEY_IN_TEXT = new RegExp(
  [
    String.raw`\b(?:sk|pk|rk)[-_][A-Za-z0-9][A-Za-z0-9_-]{15,}`,
    String.raw`\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})`,
    String.raw`\b(?:AKIA|ASIA)[A-Z0-9]{16}\b`,
    String.raw`\bAIza[A-Za-z0-9_-]{30,}`,
    String.raw`\bxox[abprs]-[A-Za-z0-9-]{10,}`,
    String.raw`\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}`,
  ].join('|'),
  'g',
);
// A credential after its scheme (`Bearer …`, `Basic …`), or as the value of an environment-style
// NAME=value or NAME: value whose name says secret (`AWS_SECRET_ACCESS_KEY=…`, `DB_PASSWORD: …`,
// `api_key: …`). Names are matched case-sensitively, so prose such as "the primary key: id" stays.
const BEARER_IN_TEXT = /((?:Bearer|Basic)\s+)[A-Za-z0-9._~+/=-]{8,}/gi;
const ASSIGNED_SECRET = /(\b(?:[A-Z0-9_]*(?:KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?)[A-Z0-9_]*|(?:x-)?api[-_]?key|(?:access|refresh|id)[-_]token|client[-_]secret|token|secret|password|passwd)["']?\s*[=:]\s*["']?)((?=[^\s"'`]*[A-Za-z])[^\s"'`]{8,})/g;
// Properties whose whole value is a credential.
const SECRET_KEY = /^(authorization|api[-_]?key|x-api-key|(?:[a-z0-9]+[-_])*(?:token|secret|password|passwd|credentials?))$/i;

/** Replaces key-like strings and bearer tokens in text (and any of `secrets` verbatim) with "[redacted]". */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 8) out = out.split(secret).join('[redacted]');
  return out.replace(KEY_IN_TEXT, '[redacted]').replace(BEARER_IN_TEXT, '$1[redacted]').replace(ASSIGNED_SECRET, '$1[redacted]');
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
    return [
      ...[...value.matchAll(KEY_IN_TEXT)].map((m) => m[0]),
      ...[...value.matchAll(BEARER_IN_TEXT)].map((m) => m[0].slice((m[1] ?? '').length)),
      ...[...value.matchAll(ASSIGNED_SECRET)].map((m) => m[2] ?? ''),
    ];
  }
  if (Array.isArray(value)) return value.flatMap((item) => findSecrets(item));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([childKey, child]) => findSecrets(child, childKey));
}
