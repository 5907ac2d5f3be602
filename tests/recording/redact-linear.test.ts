// Redaction is linear in its input: hostile text (the `KEYKEY…` that froze the proxy for 8 s) costs a
// bounded number of character reads per character, counted by the scanner itself, not timed. And it
// redacts exactly what the regular expressions it replaced did, checked on many short texts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findSecrets, redactText } from '../../src/recording/redact.ts';

// The expressions the scanners replaced (src/recording/redact.ts quotes them): the oracle.
const KEY_IN_TEXT = new RegExp([
  String.raw`\b(?:sk|pk|rk)[-_][A-Za-z0-9][A-Za-z0-9_-]{15,}`,
  String.raw`\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})`,
  String.raw`\b(?:AKIA|ASIA)[A-Z0-9]{16}\b`,
  String.raw`\bAIza[A-Za-z0-9_-]{30,}`,
  String.raw`\bxox[abprs]-[A-Za-z0-9-]{10,}`,
  String.raw`\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}`,
].join('|'), 'g');
const BEARER_IN_TEXT = /((?:Bearer|Basic)\s+)[A-Za-z0-9._~+/=-]{8,}/gi;
const ASSIGNED_SECRET = /(\b(?:[A-Z0-9_]*(?:KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?)[A-Z0-9_]*|(?:x-)?api[-_]?key|(?:access|refresh|id)[-_]token|client[-_]secret|token|secret|password|passwd)["']?\s*[=:]\s*["']?)((?=[^\s"'`]*[A-Za-z])[^\s"'`]{8,})/g;
const oracle = (text: string): string =>
  text.replace(KEY_IN_TEXT, '[redacted]').replace(BEARER_IN_TEXT, '$1[redacted]').replace(ASSIGNED_SECRET, '$1[redacted]');
const oracleSecrets = (text: string): string[] => [
  ...[...text.matchAll(KEY_IN_TEXT)].map((m) => m[0]),
  ...[...text.matchAll(BEARER_IN_TEXT)].map((m) => m[0].slice((m[1] ?? '').length)),
  ...[...text.matchAll(ASSIGNED_SECRET)].map((m) => m[2] ?? ''),
];

/** Steps per input character for `make(n)` at growing sizes. */
function stepsPerChar(make: (n: number) => string): number[] {
  return [1_000, 10_000, 100_000].map((n) => {
    const text = make(n);
    const work = { steps: 0 };
    redactText(text, [], work);
    return work.steps / text.length;
  });
}

const HOSTILE: Array<[string, (n: number) => string]> = [
  ['KEYKEY… (the freeze)', (n) => 'KEY'.repeat(n / 3)],
  ['A_KEY= then spaces', (n) => `A_KEY=${' '.repeat(n)}`],
  ['TOKEN then spaces then no separator', (n) => `TOKEN${' '.repeat(n)}x`],
  ['names with letterless values', (n) => 'A_KEY=1-'.repeat(n / 8)],
  ['JWT starts that never finish', (n) => 'eyJaaaa-'.repeat(n / 8)],
  ['JWT with one dot', (n) => `eyJ${'a'.repeat(n)}.${'b'.repeat(n)}`],
  ['sk- prefixes too short', (n) => 'sk-a-'.repeat(n / 5)],
  ['Bearer then spaces', (n) => `Bearer${' '.repeat(n)}`],
  ['bearer bearer …', (n) => 'bearer '.repeat(n / 7)],
  ['AKIA runs', (n) => 'AKIA'.repeat(n / 4)],
  ['quotes and colons', (n) => 'api_key":"'.repeat(n / 10)],
  ['lowercase names', (n) => 'token secret password '.repeat(n / 22)],
];

for (const [name, make] of HOSTILE) {
  test(`linear: ${name}`, () => {
    const perChar = stepsPerChar(make);
    // A quadratic scan reads ~n characters per character: thousands here. A linear one, a few dozen at most, flat.
    // Every character is read at least once (so the count is real), and never more than a few dozen times.
    for (const steps of perChar) assert.ok(steps >= 1 && steps <= 40, `${steps.toFixed(1)} reads per character (${perChar.map((value) => value.toFixed(1)).join(', ')})`);
    const [small = 0, , large = 0] = perChar;
    assert.ok(large <= small * 1.5 + 1, `reads per character grow with the input: ${perChar.map((value) => value.toFixed(1)).join(', ')}`);
  });
}

test('the 270 KB text that froze the proxy for 261 s is redacted in linear work', () => {
  const work = { steps: 0 };
  redactText('KEY'.repeat(90_000), [], work);
  assert.ok(work.steps < 40 * 270_000, `${work.steps} reads`);
});

// Random texts from the pieces the rules care about: each result must be exactly the oracle's.
const PIECES = ['KEY', 'TOKEN', 'A_', '=', ':', ' ', '"', "'", '`', 'sk-', 'sk_', 'ghp_', 'github_pat_', 'AKIA', 'AIza', 'xoxb-', 'eyJ', '.', '-', '_',
  'Bearer ', 'basic', 'api_key', 'x-api-key', 'token', 'secret', 'passwd', 'abc', 'ABCDEFGH', '12345678', 'a1b2c3d4e5', 'Zz', '\t', '\n', 'é', '/'];

function randomText(seed: number): string {
  let state = seed;
  const next = (): number => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  let text = '';
  for (let length = Math.floor(next() * 14); length > 0; length--) text += PIECES[Math.floor(next() * PIECES.length)] ?? '';
  return text;
}

test('redacts exactly what the regular expressions did, on 20,000 random texts and the edge cases', () => {
  const texts = [...Array.from({ length: 20_000 }, (_, seed) => randomText(seed + 1)),
    'key sk-or-v1-0123456789abcdef0123 here', 'x AKIAIOSFODNN7EXAMPLEX', 'AKIAIOSFODNN7EXAMPLE-', 'eyJaaaaaaaaa.bbbbbbbbb.ccccccc',
    'eyJaaaaaaaa.bbbbbbbb.cccccccc', 'MY_KEY = "abcdefgh1"', "token:'12345678a'", 'PASSWORD:12345678', 'BEARER\u00a0abcdefgh', 'basic\u2003x/+=~._-1'];
  for (const text of texts) {
    assert.equal(redactText(text), oracle(text), JSON.stringify(text));
    assert.deepEqual(findSecrets(text).sort(), oracleSecrets(text).sort(), JSON.stringify(text));
  }
});
