// Reading a recording folder (once, at startup) and writing one recording file.
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fromRecordingText, toRecordingText, type Recording } from './format.ts';
import type { MatchMode, Named } from './match.ts';

/** The folder's optional settings file: `{"match": "strict"}` makes the model part of matching. */
export const SETTINGS_FILE = 'replay.json';

export interface RecordingSet {
  /** Valid recordings in file-name order, which is recorded order. */
  recordings: Named[];
  /** `undefined` unless replay.json sets it. */
  mode: MatchMode | undefined;
  /** Files that could not be used, each with the reason; the rest are still served. */
  problems: Array<{ file: string; message: string }>;
}

/** Reads every `*.json` recording of a folder (replay.json aside); a bad file becomes a problem, not a failure. */
export function readRecordingSet(dir: string): RecordingSet {
  // In recorded order: by the number a file name starts with (it outgrows its padding after 9999), then by name.
  const order = (file: string) => Number(/^\d+/.exec(file)?.[0] ?? Number.POSITIVE_INFINITY);
  const files = readdirSync(dir).filter((file) => file.endsWith('.json') && !file.startsWith('.')).sort((a, b) => order(a) - order(b) || a.localeCompare(b));
  const set: RecordingSet = { recordings: [], mode: undefined, problems: [] };
  for (const file of files) {
    const path = join(dir, file);
    try {
      const text = readFileSync(path, 'utf8');
      if (file === SETTINGS_FILE) set.mode = readSettings(text);
      else set.recordings.push({ file, recording: fromRecordingText(text) });
    } catch (error) {
      set.problems.push({ file: path, message: (error as Error).message });
    }
  }
  return set;
}

function readSettings(text: string): MatchMode | undefined {
  const settings = JSON.parse(text) as { match?: unknown } | null;
  const match = settings?.match;
  if (match === undefined) return undefined;
  if (match !== 'strict' && match !== 'free') throw new Error('"match" must be "strict" or "free"');
  return match;
}

/** The first free sequence number in a folder, so that a second session appends after the first. */
export function nextSequence(dir: string): number {
  mkdirSync(dir, { recursive: true });
  let highest = 0;
  for (const file of readdirSync(dir)) {
    const seq = /^(\d+)-/.exec(file)?.[1];
    if (seq !== undefined) highest = Math.max(highest, Number(seq));
  }
  return highest + 1;
}

/** Writes one recording; rejects on an I/O error (the recorder logs it). */
export async function writeRecording(dir: string, file: string, recording: Recording): Promise<void> {
  // Written aside, then renamed: a reader (a replay, a test, git) never sees half a file.
  const partial = join(dir, `.${file}.partial`);
  await writeFile(partial, toRecordingText(recording), { flag: 'wx' });
  await rename(partial, join(dir, file));
}
