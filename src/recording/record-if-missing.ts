// Record-if-missing (RECORD_DIR and REPLAY_DIR naming the same folder): a request with a recording
// is answered from it, exactly as the replayer would; one without goes to OpenRouter through the
// recorder, exactly as plain recording would, and is there for the next run.
import type { Logger } from '../logger.ts';
import type { ExchangeContext } from './exchange-context.ts';
import type { Matching, Named } from './match.ts';
import type { Recorder } from './recorder.ts';
import { indexRecordings, type IndexedRecording } from './recording-index.ts';
import { removeRecordings } from './recording-set.ts';
import { replayRecording, type ReplayTiming } from './replayer.ts';
import { requestOf } from './request-of.ts';

export interface RecordIfMissingOptions {
  dir: string;
  recordings: readonly Named[];
  matching: Matching;
  baseUrl: string;
  timing: ReplayTiming;
  recorder: Recorder;
  /** RECORDING_MAX_AGE_DAYS in ms: an older recording counts as missing; undefined: none expires. */
  maxAgeMs: number | undefined;
  now: () => number;
  logger: Logger;
  context: ExchangeContext;
}

/**
 * Builds the record-if-missing fetch. Identical requests are answered by their recordings in recorded
 * order, each once per run (as Polly.js matches by order): a run that asks once more than was recorded
 * (a new test, a retried turn) sends that request upstream and records it (GET requests aside). A recording that answered
 * nothing in a run stays as it is. An expired recording is deleted once its fresh one is written, so
 * that a replay of the folder serves the fresh one.
 */
export function createRecordIfMissingFetch(options: RecordIfMissingOptions): typeof fetch {
  const index = indexRecordings(options.recordings, options.matching);
  const served = new Map<string, number>();
  const replaced = new Set<string>();
  const expired = (recording: IndexedRecording) => options.maxAgeMs !== undefined && options.now() - (recording.recordedAt ?? 0) > options.maxAgeMs;

  return async (input, init) => {
    const signal = init?.signal ?? undefined;
    signal?.throwIfAborted();
    const { normalised, key } = index.lookup(requestOf(input, init, options.baseUrl));
    const group = index.group(key);
    const fresh = group.filter((recording) => !expired(recording));
    const at = served.get(key) ?? 0;
    // The catalog and GET /key are read again on timers (daily, hourly) and spend no free request:
    // they get their last recording again, as in a replay, instead of a new file per re-read.
    const hit = fresh[at] ?? (normalised.method === 'GET' ? fresh.at(-1) : undefined);
    if (hit !== undefined) {
      served.set(key, at + 1);
      options.context.report('replayed');
      options.logger.debug('replayed', { file: hit.file });
      return replayRecording(hit.recording, options.timing, signal);
    }
    const stale = group.filter((recording) => !fresh.includes(recording)).map((recording) => recording.file);
    options.logger.info('not recorded yet: asking OpenRouter, and recording the answer', { why: whyMissing(group.length, fresh.length, stale, () => index.explainMiss(normalised)) });
    options.context.report('recorded');
    if (stale.length === 0 || replaced.has(key)) return options.recorder.fetch(input, init);
    replaced.add(key);
    return options.recorder.fetch(input, init, async () => {
      await removeRecordings(options.dir, stale);
      options.logger.info('replaced expired recordings with a fresh one', { dir: options.dir, removed: stale });
    });
  };
}

function whyMissing(matched: number, fresh: number, stale: readonly string[], explain: () => string): string {
  if (matched === 0) return explain();
  if (fresh === 0) return `its recordings are older than RECORDING_MAX_AGE_DAYS (${stale.join(', ')})`;
  return `its ${fresh} recording${fresh === 1 ? ' was' : 's were'} already served in this run`;
}
