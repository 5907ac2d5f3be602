// The aliases file: parsing (bad lines reported by number), glob matching, hot reload, and the names it lists.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createModelAliases, globMatches, listedAliasNames, parseAliasFile, resolveAlias } from '../../src/catalog/model-aliases.ts';
import { createLogger } from '../../src/logger.ts';

test('alias lines parse into a pattern and ordered targets; comments and blank lines are skipped', () => {
  const text = [
    '# Claude Code names',
    'claude-*haiku* = gemini-2.0-flash-exp:free',
    '',
    'CLAUDE-* = qwen3-coder:free, deepseek-r1:free   # fallback order',
    'gpt-oss:20b=openai/gpt-oss-20b:free',
  ].join('\r\n');
  assert.deepEqual(parseAliasFile(text), {
    rules: [
      { pattern: 'claude-*haiku*', targets: ['gemini-2.0-flash-exp:free'], line: 2 },
      { pattern: 'claude-*', targets: ['qwen3-coder:free', 'deepseek-r1:free'], line: 4 },
      { pattern: 'gpt-oss:20b', targets: ['openai/gpt-oss-20b:free'], line: 5 },
    ],
    problems: [],
  });
});

test('bad lines are reported with their line numbers and the good lines still apply', () => {
  const cases: [string, string][] = [
    ['just-a-name', 'line 2: expected "name = model[, model...]"'],
    [' = qwen3-coder:free', 'line 2: bad alias name ""'],
    ['claude x = qwen3-coder:free', 'line 2: bad alias name "claude x"'],
    ['claude-* = ', 'line 2: bad model name "" (no globs on the right-hand side)'],
    ['claude-* = qwen3-coder:free,, deepseek-r1:free', 'line 2: bad model name "" (no globs on the right-hand side)'],
    ['claude-* = qwen*', 'line 2: bad model name "qwen*" (no globs on the right-hand side)'],
  ];
  for (const [bad, problem] of cases) {
    const parsed = parseAliasFile(`a = b:free\n${bad}\nc = d:free`);
    assert.deepEqual(parsed.problems, [problem], bad);
    assert.deepEqual(parsed.rules.map((rule) => rule.pattern), ['a', 'c'], bad);
  }
});

test('globs match whole names, ignoring case and a :latest tag', () => {
  const cases: [string, string, boolean][] = [
    ['claude-*', 'claude-opus-5-5', true],
    ['claude-*', 'Claude-Sonnet-4-5:latest', true],
    ['claude-*haiku*', 'claude-haiku-4-5-20251001', true],
    ['claude-*haiku*', 'claude-opus-5-5', false],
    ['claude-*', 'my-claude-x', false],
    ['gpt-oss:20b', 'gpt-oss:20b', true],
    ['gpt-oss:20b', 'gpt-oss:20bx', false],
    ['gpt-oss', 'gpt-oss:latest', true],
    ['a.b', 'axb', false],
    ['*', 'anything', true],
  ];
  for (const [pattern, name, expected] of cases) assert.equal(globMatches(pattern, name), expected, `${pattern} ~ ${name}`);
});

test('the first matching rule wins; only glob-free names are listed', () => {
  const { rules } = parseAliasFile('claude-*haiku* = fast:free\nclaude-* = big:free, backup:free\ncoder = qwen3-coder:free');
  assert.deepEqual(resolveAlias(rules, 'claude-haiku-4-5'), ['fast:free']);
  assert.deepEqual(resolveAlias(rules, 'claude-opus-5-5'), ['big:free', 'backup:free']);
  assert.equal(resolveAlias(rules, 'gpt-4o'), undefined);
  assert.deepEqual(listedAliasNames(rules), ['coder']);
});

test('the file is re-read when it changes, a missing file means no aliases, and each bad line is logged once', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'aliases-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'aliases');
  const logs: string[] = [];
  const aliases = createModelAliases(path, createLogger('INFO', (line) => void logs.push(line)));
  assert.deepEqual(aliases.rules(), []);

  writeFileSync(path, 'claude-* = qwen3-coder:free\noops\n');
  utimesSync(path, 1000, 1000);
  assert.deepEqual(aliases.rules().map((rule) => rule.targets), [['qwen3-coder:free']]);
  for (let i = 0; i < 3; i++) aliases.rules();
  assert.equal(logs.filter((line) => line.includes('line 2')).length, 1);

  writeFileSync(path, 'claude-* = deepseek-r1:free, qwen3-coder:free\n');
  utimesSync(path, 2000, 2000);
  assert.deepEqual(aliases.rules().map((rule) => rule.targets), [['deepseek-r1:free', 'qwen3-coder:free']]);

  unlinkSync(path);
  assert.deepEqual(aliases.rules(), []);
});
