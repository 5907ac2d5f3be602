// The replayer: a fetch that answers from a recording set with real Responses, so the proxy's client,
// routing, fallback, cooldowns and dialects run exactly as they do against a live upstream.
import { setTimeout as sleep } from 'node:timers/promises';
import { UpstreamError } from '../errors.ts';
import { fromRecordedChunk, PROXY_ENDED, type RecordedEnd, type Recording } from './format.ts';
import { shiftResetHeader, shiftResetTimes } from './time-shift.ts';
import type { Matching, Named } from './match.ts';
import { indexRecordings } from './recording-index.ts';
import { requestOf } from './request-of.ts';

export type ReplayTiming = 'fast' | 'realtime';

export interface ReplayOptions {
  recordings: readonly Named[];
  /** How requests are matched (mode and ignore rules); the recordings are indexed for it. */
  matching: Matching;
  /** The configured upstream base URL; requests are matched on the path after it. */
  baseUrl: string;
  timing: ReplayTiming;
  /** Called each time a recording answers (not on a miss). */
  onReplay?: () => void;
}

// Statuses whose Response may not have a body.
const NULL_BODY = new Set([101, 204, 205, 304]);

/**
 * Builds the replaying fetch. Several recordings of the same request are served in recorded order;
 * after the last one, the last is repeated (a catalog refresh or a retried turn gets the final answer).
 * A miss rejects with a 404 UpstreamError classed `fatal`: no fallback, no cooldown.
 */
export function createReplayFetch(options: ReplayOptions): typeof fetch {
  const index = indexRecordings(options.recordings, options.matching);
  const cursors = new Map<string, number>();

  return async (input, init) => {
    const signal = init?.signal ?? undefined;
    signal?.throwIfAborted();
    const { normalised, key } = index.lookup(requestOf(input, init, options.baseUrl));
    const group = index.group(key);
    if (group.length === 0) throw new UpstreamError(404, `replay: ${index.explainMiss(normalised)}`, 'fatal');
    const at = cursors.get(key) ?? 0;
    cursors.set(key, at + 1);
    options.onReplay?.();
    return replayRecording((group[Math.min(at, group.length - 1)] as Named).recording, options.timing, signal);
  };
}

/** Answers as `recording` did: its status, headers and chunks, or its transport failure. */
export async function replayRecording(recording: Recording, timing: ReplayTiming, signal: AbortSignal | undefined): Promise<Response> {
  if (recording.response === undefined) {
    if (endedByProxy(recording.end)) await untilAborted(signal);
    throw transportError('fetch failed', recording.end);
  }
  const { status, headers, receivedAt } = recording.response;
  const shiftMs = receivedAt === undefined ? 0 : Date.now() - receivedAt;
  const shifted = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, /^x-ratelimit-reset$/i.test(name) ? shiftResetHeader(value, shiftMs) : value]));
  const body = NULL_BODY.has(status) ? null : replayBody(recording, timing, signal, shiftMs);
  return new Response(body, { status, headers: shifted });
}

/** A body that streams the recorded chunks, one per read, then ends as the recording did. */
function replayBody(recording: Recording, timing: ReplayTiming, signal: AbortSignal | undefined, shiftMs: number): ReadableStream<Uint8Array> {
  // Offsets count from the first read, not from when the Response was built: whoever reads the body
  // may start a little later, and a chunk must never come earlier than it did live.
  let startedAt: number | undefined;
  let next = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const chunk = recording.chunks[next++];
      if (chunk === undefined) {
        if (recording.end.kind === 'complete') return controller.close();
        // untilAborted rejects with the proxy's own reason, which errors the body as undici would.
        if (endedByProxy(recording.end) && signal !== undefined) await untilAborted(signal);
        return controller.error(transportError('terminated', recording.end));
      }
      startedAt ??= performance.now();
      const due = startedAt + chunk.ms;
      try {
        // Node's timers count whole milliseconds on a cached clock and can fire a little early: wait out the rest.
        if (timing === 'realtime') for (let wait = due - performance.now(); wait > 0; wait = due - performance.now()) await sleep(Math.ceil(wait), undefined, signal ? { signal } : {});
        signal?.throwIfAborted();
      } catch {
        controller.error(signal?.reason);
        return;
      }
      controller.enqueue(shiftMs !== 0 && 'text' in chunk ? new TextEncoder().encode(shiftResetTimes(chunk.text, shiftMs)) : fromRecordedChunk(chunk));
    },
  }, { highWaterMark: 0 });
}

function endedByProxy(end: RecordedEnd): boolean {
  return end.kind !== 'complete' && end.code === PROXY_ENDED;
}

// Live, the proxy gave up here (a timeout, say): wait for it to give up again, with its own reason.
// Without a signal nothing could end the wait, so it ends at once.
async function untilAborted(signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined || signal.aborted) return;
  await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  throw signal.reason;
}

// undici's shapes: `TypeError("fetch failed")` for a refused request and `TypeError("terminated")`
// for a broken body, each with the socket error (and its code) as the cause.
function transportError(message: string, end: RecordedEnd): TypeError {
  const detail = end.kind === 'complete' ? 'recording ended' : end.message;
  const cause = Object.assign(new Error(detail), end.kind !== 'complete' && end.code !== undefined ? { code: end.code } : {});
  return new TypeError(message, { cause });
}
