// Redaction of what a recording keeps. A recorded request body is the proxy's own upstream body, so
// it never holds the Authorization header; but a prompt or a tool result may paste a key, and the
// recording is meant to be committed. The logger's redact() does not fit: it also hides content,
// which a recording must keep.
//
// This runs on every request and answer while recording and replaying, on text a client chose, so
// it must be linear in its input. The rules were regular expressions, and one of them backtracked
// quadratically (90 KB of `KEYKEY…` froze the proxy for 8 s); they are now scanners that look at
// each character a bounded number of times. `Work` counts the characters looked at, so a test can
// bound it (tests/recording/redact-linear.test.ts), and a differential test holds them to the old
// expressions on short inputs. The rules, as those expressions:
// 1. Credentials with a recognisable shape, anywhere in free text: OpenRouter/OpenAI/Anthropic keys,
//    Stripe keys, GitHub tokens, AWS access key ids, Google API keys, Slack tokens, and JWTs. Agent
//    sessions paste .env files and shell output into tool results, so these do turn up in prompts.
//      \b(?:sk|pk|rk)[-_][A-Za-z0-9][A-Za-z0-9_-]{15,}
//      \b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})   \b(?:AKIA|ASIA)[A-Z0-9]{16}\b
//      \bAIza[A-Za-z0-9_-]{30,}   \bxox[abprs]-[A-Za-z0-9-]{10,}
//      \beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}
// 2. A credential after its scheme: /((?:Bearer|Basic)\s+)[A-Za-z0-9._~+/=-]{8,}/i
// 3. The value of an environment-style NAME=value or NAME: value whose name says secret
//    (`AWS_SECRET_ACCESS_KEY=…`, `DB_PASSWORD: …`, `api_key: …`). Names are matched case-sensitively,
//    so prose such as "the primary key: id" stays:
//      (\b(?:[A-Z0-9_]*(?:KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?)[A-Z0-9_]*|(?:x-)?api[-_]?key
//        |(?:access|refresh|id)[-_]token|client[-_]secret|token|secret|password|passwd)["']?\s*[=:]\s*["']?)
//      ((?=[^\s"'`]*[A-Za-z])[^\s"'`]{8,})

/** Counts the characters a scan looked at. */
export interface Work {
  steps: number;
}

/** A credential found in text: `[start, end)`, of which the first `keep` characters stay (a scheme or a name). */
interface Found {
  start: number;
  end: number;
  keep: number;
}

type Rule = (text: string, work: Work) => Found[];

// Properties whose whole value is a credential.
const SECRET_KEY = /^(authorization|api[-_]?key|x-api-key|(?:[a-z0-9]+[-_])*(?:token|secret|password|passwd|credentials?))$/i;

const REDACTED = '[redacted]';

/** Replaces key-like strings and bearer tokens in text (and any of `secrets` verbatim) with "[redacted]"; `work`, when given, counts the scan. */
export function redactText(text: string, secrets: readonly string[] = [], work: Work = { steps: 0 }): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 8) out = out.split(secret).join(REDACTED);
  // In this order, each on the previous one's output, as the expressions were applied.
  for (const rule of RULES) out = replaceFound(out, rule(out, work));
  return out;
}

/** A copy of a JSON value with every credential-looking string redacted; the shape is kept. */
export function redactBody(value: unknown, secrets: readonly string[] = [], key = ''): unknown {
  if (typeof value === 'string') return SECRET_KEY.test(key) ? REDACTED : redactText(value, secrets);
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
    const work = { steps: 0 };
    return RULES.flatMap((rule) => rule(value, work).map((found) => value.slice(found.start + found.keep, found.end)));
  }
  if (Array.isArray(value)) return value.flatMap((item) => findSecrets(item));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([childKey, child]) => findSecrets(child, childKey));
}

function replaceFound(text: string, found: readonly Found[]): string {
  if (found.length === 0) return text;
  let out = '';
  let at = 0;
  for (const { start, end, keep } of found) {
    out += text.slice(at, start + keep) + REDACTED;
    at = end;
  }
  return out + text.slice(at);
}

// ----- Characters -----

const inRange = (c: number, low: string, high: string): boolean => c >= low.charCodeAt(0) && c <= high.charCodeAt(0);
const isUpper = (c: number): boolean => inRange(c, 'A', 'Z');
const isLower = (c: number): boolean => inRange(c, 'a', 'z');
const isDigit = (c: number): boolean => inRange(c, '0', '9');
const isLetter = (c: number): boolean => isUpper(c) || isLower(c);
const isAlnum = (c: number): boolean => isLetter(c) || isDigit(c);
const UNDERSCORE = 95;
const HYPHEN = 45;
/** `\w` */
const isWord = (c: number): boolean => isAlnum(c) || c === UNDERSCORE;
/** `[A-Z0-9_]`: the characters of an environment variable's name. */
const isNameChar = (c: number): boolean => isUpper(c) || isDigit(c) || c === UNDERSCORE;
/** `[A-Za-z0-9_-]` */
const isKeyChar = (c: number): boolean => isWord(c) || c === HYPHEN;
const TOKEN_PUNCTUATION = new Set([...'._~+/=-'].map((char) => char.charCodeAt(0)));
/** `[A-Za-z0-9._~+/=-]` */
const isTokenChar = (c: number): boolean => isAlnum(c) || TOKEN_PUNCTUATION.has(c);
const SPACES = new Set([0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff]);
/** JavaScript's `\s` */
const isSpace = (c: number): boolean => SPACES.has(c) || (c >= 0x2000 && c <= 0x200a);
const QUOTES = new Set([...'"\'`'].map((char) => char.charCodeAt(0)));
/** `[^\s"'`]`: a value's characters. */
const isValueChar = (c: number): boolean => !Number.isNaN(c) && !isSpace(c) && !QUOTES.has(c);

/** One scan of a text, counting the characters it reads. */
function reader(text: string, work: Work) {
  const code = (index: number): number => {
    work.steps++;
    return text.charCodeAt(index);
  };
  return {
    code,
    /** Where the run of `is` characters that starts at `from` ends. */
    runEnd(from: number, is: (c: number) => boolean): number {
      let end = from;
      while (end < text.length && is(code(end))) end++;
      return end;
    },
    /** `\b` before `index`. */
    boundary: (index: number): boolean => (index > 0 && isWord(code(index - 1))) !== (index < text.length && isWord(code(index))),
    /** Counts work done outside `code` (a native search over `steps` characters). */
    charge: (steps: number): void => void (work.steps += steps),
    startsWith: (prefix: string, index: number, ignoreCase = false): boolean => {
      work.steps += prefix.length;
      const part = text.slice(index, index + prefix.length);
      return (ignoreCase ? part.toLowerCase() : part) === prefix;
    },
  };
}

// ----- Rule 1: credentials with a recognisable shape -----

/** Where a maximal run of `is` that starts at `from` ends, if it is at least `min` long. */
type Scan = ReturnType<typeof reader>;
const runOfAtLeast = (scan: Scan, from: number, is: (c: number) => boolean, min: number): number | undefined => {
  const end = scan.runEnd(from, is);
  return end - from >= min ? end : undefined;
};

/** The end of a shaped key at `i` (a word boundary), or undefined; `jwtFailedUntil` skips JWT starts already ruled out. */
function shapedKeyEnd(scan: Scan, text: string, i: number, state: { jwtFailedUntil: number }): number | undefined {
  const c = scan.code(i);
  if ((scan.startsWith('sk', i) || scan.startsWith('pk', i) || scan.startsWith('rk', i)) && (scan.code(i + 2) === HYPHEN || scan.code(i + 2) === UNDERSCORE)) {
    return isAlnum(scan.code(i + 3)) ? runOfAtLeast(scan, i + 4, isKeyChar, 15) : undefined;
  }
  if (c === 'g'.charCodeAt(0)) {
    if (scan.startsWith('gh', i) && 'pousr'.includes(text[i + 2] ?? '') && scan.code(i + 3) === UNDERSCORE) return runOfAtLeast(scan, i + 4, isAlnum, 20);
    return scan.startsWith('github_pat_', i) ? runOfAtLeast(scan, i + 11, isWord, 20) : undefined;
  }
  if (scan.startsWith('AKIA', i) || scan.startsWith('ASIA', i)) {
    const end = i + 20;
    return end <= text.length && scan.runEnd(i + 4, (code) => isUpper(code) || isDigit(code)) >= end && scan.boundary(end) ? end : undefined;
  }
  if (scan.startsWith('AIza', i)) return runOfAtLeast(scan, i + 4, isKeyChar, 30);
  if (scan.startsWith('xox', i) && 'abprs'.includes(text[i + 3] ?? '') && scan.code(i + 4) === HYPHEN) {
    return runOfAtLeast(scan, i + 5, (code) => isAlnum(code) || code === HYPHEN, 10);
  }
  if (i >= state.jwtFailedUntil && scan.startsWith('eyJ', i)) return jwtEnd(scan, text, i, state);
  return undefined;
}

// Three runs of [A-Za-z0-9_-], at least 8 each, joined by dots. A JWT start inside a first run that
// failed would reach the same end of that run and fail the same way: remembered, so no start rescans it.
function jwtEnd(scan: Scan, text: string, i: number, state: { jwtFailedUntil: number }): number | undefined {
  const firstEnd = scan.runEnd(i + 3, isKeyChar);
  let end: number | undefined = firstEnd - (i + 3) >= 8 ? firstEnd : undefined;
  for (let part = 0; part < 2 && end !== undefined; part++) {
    end = text[end] === '.' ? runOfAtLeast(scan, end + 1, isKeyChar, 8) : undefined;
  }
  if (end === undefined) state.jwtFailedUntil = firstEnd;
  return end;
}

const shapedKeys: Rule = (text, work) => {
  const scan = reader(text, work);
  const found: Found[] = [];
  const state = { jwtFailedUntil: 0 };
  for (let i = 0; i < text.length; ) {
    const end = scan.boundary(i) && isWord(scan.code(i)) ? shapedKeyEnd(scan, text, i, state) : undefined;
    if (end === undefined) {
      i++;
      continue;
    }
    found.push({ start: i, end, keep: 0 });
    i = end;
  }
  return found;
};

// ----- Rule 2: a credential after its scheme -----

const LOWER_B = 'b'.charCodeAt(0);

const schemeTokens: Rule = (text, work) => {
  const scan = reader(text, work);
  const found: Found[] = [];
  for (let i = 0; i < text.length; ) {
    // Both schemes start with a b, in either case: most positions are ruled out by one comparison.
    const scheme = (scan.code(i) | 0x20) !== LOWER_B ? 0 : scan.startsWith('bearer', i, true) ? 6 : scan.startsWith('basic', i, true) ? 5 : 0;
    const spaceEnd = scheme === 0 ? i : scan.runEnd(i + scheme, isSpace);
    const end = spaceEnd > i + scheme ? runOfAtLeast(scan, spaceEnd, isTokenChar, 8) : undefined;
    if (end === undefined) {
      i++;
      continue;
    }
    found.push({ start: i, end, keep: spaceEnd - i });
    i = end;
  }
  return found;
};

// ----- Rule 3: NAME=value where the name says secret -----

const SECRET_WORDS = ['KEY', 'TOKEN', 'SECRET', 'PASSWORD', 'PASSWD', 'CREDENTIAL'];
const SECRET_NAMES = ['x-api-key', 'x-api_key', 'x-apikey', 'api-key', 'api_key', 'apikey', 'access-token', 'access_token', 'refresh-token',
  'refresh_token', 'id-token', 'id_token', 'client-secret', 'client_secret', 'token', 'secret', 'password', 'passwd'];
const NAME_STARTS = new Set(SECRET_NAMES.map((name) => name[0] ?? ''));

/** The end of `["']?\s*[=:]\s*["']?` at `from`, or undefined. */
function separatorEnd(scan: Scan, text: string, from: number): number | undefined {
  let at = from;
  if (at < text.length && (text[at] === '"' || text[at] === "'")) at++;
  at = scan.runEnd(at, isSpace);
  if (at >= text.length || (text[at] !== '=' && text[at] !== ':')) return undefined;
  at = scan.runEnd(at + 1, isSpace);
  if (at < text.length && (text[at] === '"' || text[at] === "'")) at++;
  return at;
}

/** The end of a value at `from`: a run of value characters at least 8 long with a letter in it. */
function valueEnd(scan: Scan, from: number): number | undefined {
  let letter = false;
  const end = scan.runEnd(from, (c) => {
    if (!isValueChar(c)) return false;
    letter ||= isLetter(c);
    return true;
  });
  return letter && end - from >= 8 ? end : undefined;
}

/** The end of a secret's name at `i` (a word boundary), or undefined; for an upper-case name, also where its run ends. */
function secretNameEnd(scan: Scan, text: string, i: number): { end: number | undefined; skipTo: number } {
  if (isNameChar(scan.code(i))) {
    // `[A-Z0-9_]*WORD[A-Z0-9_]*` must run to the end of the name's characters: a separator cannot be one.
    const end = scan.runEnd(i, isNameChar);
    scan.charge(SECRET_WORDS.length * (end - i));
    const name = text.slice(i, end);
    return { end: SECRET_WORDS.some((word) => name.includes(word)) ? end : undefined, skipTo: end };
  }
  const name = NAME_STARTS.has(text[i] ?? '') ? SECRET_NAMES.find((candidate) => scan.startsWith(candidate, i)) : undefined;
  return { end: name === undefined ? undefined : i + name.length, skipTo: i + 1 };
}

const assignedSecrets: Rule = (text, work) => {
  const scan = reader(text, work);
  const found: Found[] = [];
  for (let i = 0; i < text.length; ) {
    if (!scan.boundary(i) || !isWord(scan.code(i))) {
      i++;
      continue;
    }
    const name = secretNameEnd(scan, text, i);
    const separator = name.end === undefined ? undefined : separatorEnd(scan, text, name.end);
    const end = separator === undefined ? undefined : valueEnd(scan, separator);
    if (separator === undefined || end === undefined) {
      i = name.skipTo;
      continue;
    }
    found.push({ start: i, end, keep: separator - i });
    i = end;
  }
  return found;
};

const RULES: readonly Rule[] = [shapedKeys, schemeTokens, assignedSecrets];
