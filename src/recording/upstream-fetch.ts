// Chooses the fetch the OpenRouter client uses: live, recording, or replaying (from the config).
import type { Logger } from '../logger.ts';
import { createRecordingFetch } from './recorder.ts';
import { readRecordingSet } from './recording-set.ts';
import { createReplayFetch, type ReplayTiming } from './replayer.ts';

export interface RecordReplaySettings {
  baseUrl: string;
  apiKey: string;
  freeMode: boolean;
  recordDir: string | undefined;
  replayDir: string | undefined;
  replayTiming: ReplayTiming;
}

/** Wraps `live` for RECORD_DIR, replaces it for REPLAY_DIR (reading the set now, logging unusable files), else returns it. */
export function upstreamFetch(live: typeof fetch, settings: RecordReplaySettings, logger: Logger): typeof fetch {
  if (settings.recordDir !== undefined) {
    logger.info('recording upstream exchanges; prompts and answers are written as they are', { dir: settings.recordDir });
    return createRecordingFetch(live, { dir: settings.recordDir, baseUrl: settings.baseUrl, secrets: [settings.apiKey], logger });
  }
  if (settings.replayDir === undefined) return live;
  const set = readRecordingSet(settings.replayDir);
  for (const problem of set.problems) logger.error(`unusable recording ${problem.file}: ${problem.message}; the other recordings are still served`);
  const mode = set.mode ?? (settings.freeMode ? 'free' : 'strict');
  logger.info('replaying recorded upstream exchanges; no network is used', { dir: settings.replayDir, recordings: set.recordings.length, match: mode, timing: settings.replayTiming });
  return createReplayFetch({ recordings: set.recordings, mode, baseUrl: settings.baseUrl, timing: settings.replayTiming });
}
