/*
 * Model aliases: a client's model name (or a glob of names) → one model or an ordered list of models.
 *
 * Claude Code asks for fixed `claude-*` names and Codex for `gpt-oss:20b`; an alias file lets an
 * operator send those to models OpenRouter serves, in both modes and on every API. Syntax, one alias
 * per line (see models-filter/aliases.example):
 *
 *     claude-*haiku* = gemini-2.0-flash-exp:free
 *     claude-*       = qwen3-coder:free, deepseek-r1:free
 *
 * `*` matches any run of characters; matching ignores case and a `:latest` tag; the first matching
 * line wins, so put narrow patterns first. The file is re-read when it changes, like the model filter.
 */
import { readFileSync, statSync } from 'node:fs';
import type { Logger } from '../logger.ts';

export interface AliasRule {
  /** The name or glob as written, lower-cased. */
  pattern: string;
  /** Models to try, in order; the first is the one the client "asked for". */
  targets: string[];
  line: number;
}

export interface AliasParseResult {
  rules: AliasRule[];
  /** One message per bad line, with its line number; the good lines still apply. */
  problems: string[];
}

// Names Ollama and OpenRouter use: letters, digits, `._-:/@` and the glob's `*`.
const PATTERN = /^[a-z0-9._:/@*-]+$/;
const TARGET = /^[a-z0-9._:/@-]+$/;

/** Parses an aliases file; blank lines and `#` comments are ignored. */
export function parseAliasFile(text: string): AliasParseResult {
  const rules: AliasRule[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const content = raw.replace(/#.*/, '').trim().toLowerCase();
    if (content === '') return;
    const equals = content.indexOf('=');
    if (equals < 0) return void problems.push(`line ${line}: expected "name = model[, model...]"`);
    const pattern = content.slice(0, equals).trim();
    const targets = content.slice(equals + 1).split(',').map((target) => target.trim());
    if (!PATTERN.test(pattern)) return void problems.push(`line ${line}: bad alias name "${pattern}"`);
    const bad = targets.find((target) => !TARGET.test(target));
    if (bad !== undefined) return void problems.push(`line ${line}: bad model name "${bad}" (no globs on the right-hand side)`);
    rules.push({ pattern, targets, line });
  });
  return { rules, problems };
}

function withoutLatest(name: string): string {
  const lower = name.trim().toLowerCase();
  return lower.endsWith(':latest') ? lower.slice(0, -':latest'.length) : lower;
}

/** True when a glob (`*` = any run of characters) matches the whole name, ignoring case and `:latest`. */
export function globMatches(pattern: string, name: string): boolean {
  const source = withoutLatest(pattern).split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${source}$`).test(withoutLatest(name));
}

/** The targets of the first rule that matches `name`, or undefined. */
export function resolveAlias(rules: readonly AliasRule[], name: string): string[] | undefined {
  return rules.find((rule) => globMatches(rule.pattern, name))?.targets;
}

/** Alias names a model picker can show: every rule written without a glob. */
export function listedAliasNames(rules: readonly AliasRule[]): string[] {
  return rules.filter((rule) => !rule.pattern.includes('*')).map((rule) => rule.pattern);
}

export interface ModelAliases {
  /** The rules in force; re-reads the file when it changed on disk (one stat a call). */
  rules(): readonly AliasRule[];
}

/**
 * Watches an aliases file by modification time, size and inode. A missing file means no aliases; an
 * unreadable one keeps the previous rules. Bad lines are logged once per version of the file.
 */
export function createModelAliases(path: string, logger: Logger): ModelAliases {
  let rules: AliasRule[] = [];
  let signature = 'missing';

  const refresh = (): readonly AliasRule[] => {
    let stat;
    let text: string | undefined;
    try {
      stat = statSync(path, { throwIfNoEntry: false });
      const next = stat === undefined ? 'missing' : `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
      if (next === signature) return rules;
      text = stat === undefined ? undefined : readFileSync(path, 'utf8');
      signature = next;
    } catch (error) {
      logger.warn('cannot read model aliases; keeping the previous ones', { path, error });
      return rules;
    }
    const parsed = text === undefined ? { rules: [], problems: [] } : parseAliasFile(text);
    for (const problem of parsed.problems) logger.warn(`model aliases: ignoring ${problem}`, { path });
    rules = parsed.rules;
    logger.info('model aliases loaded', { path, aliases: rules.length });
    return rules;
  };

  return { rules: refresh };
}
