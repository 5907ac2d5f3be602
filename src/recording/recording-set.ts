// Reading a recording folder (once, at startup) and writing one recording file.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fromRecordingText, toRecordingText, type Recording } from './format.ts';
import { DEFAULT_IGNORE, parseIgnoreRules, type IgnoreRules } from './ignore-rules.ts';
import type { MatchMode, Named } from './match.ts';

/** The folder's optional settings file: `{"match": "strict", "ignore": {...}}`. */
export const SETTINGS_FILE = 'replay.json';

export interface RecordingSet {
  /** Valid recordings in file-name order, which is recorded order. */
  recordings: Named[];
  /** `undefined` unless replay.json sets it. */
  mode: MatchMode | undefined;
  /** What matching ignores: the defaults, plus replay.json's own `ignore` patterns and fields. */
  ignore: IgnoreRules;
  /** Files that could not be used, each with the reason; the rest are still served. */
  problems: Array<{ file: string; message: string }>;
}

/** Reads every `*.json` recording of a folder (replay.json aside); a bad file becomes a problem, not a failure. */
export function readRecordingSet(dir: string): RecordingSet {
  // In recorded order: by the number a file name starts with (it outgrows its padding after 9999), then by name.
  const order = (file: string) => Number(/^\d+/.exec(file)?.[0] ?? Number.POSITIVE_INFINITY);
  const files = readdirSync(dir).filter((file) => file.endsWith('.json') && !file.startsWith('.')).sort((a, b) => order(a) - order(b) || a.localeCompare(b));
  const set: RecordingSet = { recordings: [], mode: undefined, ignore: DEFAULT_IGNORE, problems: [] };
  for (const file of files) {
    const path = join(dir, file);
    try {
      const text = readFileSync(path, 'utf8');
      if (file === SETTINGS_FILE) Object.assign(set, readSettings(text));
      else set.recordings.push({ file, recording: fromRecordingText(text), modifiedAt: statSync(path).mtimeMs });
    } catch (error) {
      set.problems.push({ file: path, message: (error as Error).message });
    }
  }
  return set;
}

function readSettings(text: string): Pick<RecordingSet, 'mode' | 'ignore'> {
  const settings = JSON.parse(text) as { match?: unknown; ignore?: unknown } | null;
  const match = settings?.match;
  if (match !== undefined && match !== 'strict' && match !== 'free') throw new Error('"match" must be "strict" or "free"');
  return { mode: match, ignore: parseIgnoreRules(settings?.ignore) };
}

// A write in progress is `.<file>.partial` until it is renamed into place.
const PARTIAL = /^\.((\d+)-.*)\.partial$/;

/**
 * Readies a folder for recording and returns the first free sequence number, so that a second session
 * appends after the first. Partial files left by a killed proxy are removed (they were never whole),
 * and their numbers are never used again.
 */
export function prepareRecordingDir(dir: string): { next: number; removed: string[] } {
  mkdirSync(dir, { recursive: true });
  let highest = 0;
  const removed: string[] = [];
  for (const file of readdirSync(dir)) {
    const partial = PARTIAL.exec(file);
    const seq = partial?.[2] ?? /^(\d+)-/.exec(file)?.[1];
    if (seq !== undefined) highest = Math.max(highest, Number(seq));
    if (partial === null) continue;
    rmSync(join(dir, file), { force: true });
    removed.push(file);
  }
  return { next: highest + 1, removed };
}

/** The file operations writeRecording uses (tests stand in a full disk). */
export interface WriteIo {
  writeFile: typeof writeFile;
  rename: typeof rename;
  rm: typeof rm;
}

/** Writes one recording; rejects on an I/O error (the recorder logs it), leaving no partial file behind. */
export async function writeRecording(dir: string, file: string, recording: Recording, io: WriteIo = { writeFile, rename, rm }): Promise<void> {
  // Written aside, then renamed: a reader (a replay, a test, git) never sees half a file.
  const partial = join(dir, `.${file}.partial`);
  try {
    await io.writeFile(partial, toRecordingText(recording), { flag: 'wx' });
    await io.rename(partial, join(dir, file));
  } catch (error) {
    // A full disk fails after the file was created: an empty partial per exchange would pile up.
    // EEXIST is another writer's partial (a second proxy on the folder): not ours to remove.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') await io.rm(partial, { force: true }).catch(() => {});
    throw error;
  }
}

/** Deletes recordings (ones replaced by fresh recordings of the same request). */
export async function removeRecordings(dir: string, files: readonly string[]): Promise<void> {
  await Promise.all(files.map((file) => rm(join(dir, file), { force: true })));
}
