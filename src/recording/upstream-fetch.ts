// Chooses the fetch the OpenRouter client uses: live, recording, replaying, or record-if-missing
// (from the config), and keeps what /status, the dashboard and shutdown need to know about it.
import type { Logger } from '../logger.ts';
import { createExchangeContext, NO_EXCHANGE_CONTEXT, type ExchangeContext, type ExchangeSource } from './exchange-context.ts';
import type { MatchMode } from './match.ts';
import { createRecordIfMissingFetch } from './record-if-missing.ts';
import { createRecorder, type Recorder } from './recorder.ts';
import { readRecordingSet, type RecordingSet } from './recording-set.ts';
import { createReplayFetch, type ReplayTiming } from './replayer.ts';

/** `record-if-missing`: RECORD_DIR and REPLAY_DIR name the same folder. */
export type RecordingMode = 'off' | 'record' | 'replay' | 'record-if-missing';

export interface RecordReplaySettings {
  baseUrl: string;
  apiKey: string;
  freeMode: boolean;
  recordingMode: RecordingMode;
  recordDir: string | undefined;
  replayDir: string | undefined;
  replayTiming: ReplayTiming;
  recordingMaxAgeMs: number | undefined;
}

/** The `recording` object of GET /status. */
export interface RecordingStatus {
  mode: RecordingMode;
  dir?: string;
  /** Upstream exchanges since startup, catalog and GET /key included. */
  replayed?: number;
  recorded?: number;
  max_age_days?: number;
}

export interface UpstreamFetch {
  fetch: typeof fetch;
  /** Carries the client request an exchange belongs to (the request log's replayed/recorded marker). */
  context: ExchangeContext;
  status(): RecordingStatus;
  /** Waits until every recording begun is written, for at most `ms`; resolves with how many were not. */
  settle(ms: number): Promise<number>;
}

/** Wraps or replaces `live` as the config says, reading a replayed folder now and logging its unusable files. */
export function upstreamFetch(live: typeof fetch, settings: RecordReplaySettings, logger: Logger, now: () => number): UpstreamFetch {
  const mode = settings.recordingMode;
  const dir = mode === 'record' ? settings.recordDir : settings.replayDir;
  if (mode === 'off' || dir === undefined) return { fetch: live, context: NO_EXCHANGE_CONTEXT, status: () => ({ mode: 'off' }), settle: async () => 0 };
  const counts = { replayed: 0, recorded: 0 };
  const inner = createExchangeContext();
  const context: ExchangeContext = {
    ...inner,
    report(source: ExchangeSource) {
      counts[source]++;
      inner.report(source);
    },
  };
  const maxAge = settings.recordingMaxAgeMs === undefined ? {} : { max_age_days: settings.recordingMaxAgeMs / 86_400_000 };
  const status = (): RecordingStatus => ({ mode, dir, ...counts, ...maxAge });
  const recorder = mode === 'replay' ? undefined : createRecorder(live, { dir, baseUrl: settings.baseUrl, secrets: [settings.apiKey], logger });
  const settle = (ms: number) => (recorder === undefined ? Promise.resolve(0) : settleWithin(recorder, ms));

  if (recorder !== undefined && mode === 'record') {
    logger.info('recording upstream exchanges; prompts and answers are written as they are', { recording: mode, dir });
    const record: typeof fetch = (input, init) => {
      context.report('recorded');
      return recorder.fetch(input, init);
    };
    return { fetch: record, context, status, settle };
  }
  const set = readRecordingSet(dir);
  for (const problem of set.problems) logger.error(`unusable recording ${problem.file}: ${problem.message}; the other recordings are still served`);
  const matching = { mode: matchMode(set, settings.freeMode), ignore: set.ignore };
  const fields = { recording: mode, dir, recordings: set.recordings.length, match: matching.mode, timing: settings.replayTiming, ...maxAge };
  if (recorder === undefined) {
    logger.info('replaying recorded upstream exchanges; no network is used', fields);
    return { fetch: createReplayFetch({ recordings: set.recordings, matching, baseUrl: settings.baseUrl, timing: settings.replayTiming, onReplay: () => context.report('replayed') }), context, status, settle };
  }
  logger.info('record-if-missing: answering from recordings, and recording what is missing; prompts and answers are written as they are', fields);
  const fetch = createRecordIfMissingFetch({ dir, recordings: set.recordings, matching, baseUrl: settings.baseUrl, timing: settings.replayTiming, recorder, maxAgeMs: settings.recordingMaxAgeMs, now, logger, context });
  return { fetch, context, status, settle };
}

function matchMode(set: RecordingSet, freeMode: boolean): MatchMode {
  return set.mode ?? (freeMode ? 'free' : 'strict');
}

async function settleWithin(recorder: Recorder, ms: number): Promise<number> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  try {
    await Promise.race([recorder.settled(), timeout]);
  } finally {
    clearTimeout(timer);
  }
  return recorder.pending();
}
