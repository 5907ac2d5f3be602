// A recording set indexed for matching: each recording normalised once, grouped by match key in
// recorded order. Pure: the replayer and record-if-missing decide what a group's order means.
import { describeMiss, matchKey, normaliseRequest, type Matching, type Named, type NormalisedRecording, type UpstreamRequest } from './match.ts';

export interface IndexedRecording extends Named {
  key: string;
  /** When it was recorded (epoch ms): the response's `receivedAt`, else the file's modification time. */
  recordedAt: number | undefined;
}

export interface RecordingIndex {
  matching: Matching;
  /** The recordings that match `key`, in recorded order (empty when none do). */
  group(key: string): readonly IndexedRecording[];
  /** A request as matching sees it, and its key. */
  lookup(request: UpstreamRequest): { normalised: UpstreamRequest; key: string };
  /** Why nothing matched `normalised`: the closest recording and where it differs. */
  explainMiss(normalised: UpstreamRequest): string;
}

/** Indexes `recordings` (in recorded order) for `matching`. */
export function indexRecordings(recordings: readonly Named[], matching: Matching): RecordingIndex {
  const groups = new Map<string, IndexedRecording[]>();
  const normalised: NormalisedRecording[] = [];
  for (const named of recordings) {
    const request = normaliseRequest(named.recording.request, matching);
    const key = matchKey(request);
    const recordedAt = named.recording.response?.receivedAt ?? named.modifiedAt;
    let group = groups.get(key);
    if (group === undefined) groups.set(key, (group = []));
    group.push({ ...named, key, recordedAt });
    normalised.push({ file: named.file, request });
  }
  return {
    matching,
    group: (key) => groups.get(key) ?? [],
    lookup(request) {
      const wanted = normaliseRequest(request, matching);
      return { normalised: wanted, key: matchKey(wanted) };
    },
    explainMiss: (wanted) => describeMiss(wanted, normalised),
  };
}
