import { readFileSync, statSync } from 'node:fs';
import type { Logger } from '../logger.ts';
import type { CatalogModel } from './model-info.ts';

export interface ModelFilter {
  /**
   * The patterns in force; empty means no filter. Re-reads the file when it changed on disk (one stat a
   * call), and returns the same array until then, so callers can cache what they derive from it.
   */
  patterns(): readonly string[];
}

/** Parses a filter file: one pattern per line; blank lines and `#` comments are ignored. */
export function parseFilterFile(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.replace(/#.*/, '').trim().toLowerCase())
    .filter((line) => line !== '');
}

/**
 * True when no patterns are set, or one is a substring (ignoring case) of the model's listed name
 * (`gemini-2.0-flash-exp:free`), its full id (`google/gemini-2.0-flash-exp:free`) or OpenRouter's
 * display name (`Google: Gemini 2.0 Flash Experimental (free)`).
 */
export function matchesPatterns(patterns: readonly string[], model: CatalogModel): boolean {
  if (patterns.length === 0) return true;
  const names = [model.name.toLowerCase(), model.id.toLowerCase(), model.title.toLowerCase()];
  return patterns.some((pattern) => names.some((name) => name.includes(pattern)));
}

/**
 * Watches a filter file by its modification time and size, so edits take effect on the next request
 * without a restart. A missing file means no filter; an unreadable one keeps the previous patterns.
 */
export function createModelFilter(path: string, logger: Logger): ModelFilter {
  let patterns: string[] = [];
  let signature = 'missing';

  const refresh = (): readonly string[] => {
    let stat;
    try {
      stat = statSync(path, { throwIfNoEntry: false });
    } catch (error) {
      logger.warn('cannot read model filter; keeping the previous one', { path, error });
      return patterns;
    }
    const next = stat === undefined ? 'missing' : `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
    if (next === signature) return patterns;
    if (stat === undefined) {
      patterns = [];
    } else {
      try {
        patterns = parseFilterFile(readFileSync(path, 'utf8'));
      } catch (error) {
        logger.warn('cannot read model filter; keeping the previous one', { path, error });
        return patterns;
      }
    }
    signature = next;
    logger.info('model filter loaded', { path, patterns: patterns.length });
    return patterns;
  };

  return { patterns: refresh };
}
