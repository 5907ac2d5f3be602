// The recording file format (version 1): one upstream exchange per JSON file. Pure: no I/O here.
// Chunks are written one per line so that a recording diffs well in git and is easy to edit by hand.

export const FORMAT = 'ollama-openrouter-proxy/recording@1';

/** One network read of the response body, `ms` after the response headers arrived. */
export type RecordedChunk = { ms: number; text: string } | { ms: number; base64: string };

/** How the exchange ended: the body completed, broke (reset, truncated), or the fetch itself failed. */
export type RecordedEnd =
  | { kind: 'complete' }
  | { kind: 'broken'; message: string; code?: string }
  | { kind: 'refused'; message: string; code?: string };

/**
 * The end code of an exchange the proxy itself gave up on (its timeouts, the client leaving, enough
 * read): the replayer turns it into a stall that only the proxy's own abort ends, as it did live.
 */
export const PROXY_ENDED = 'PROXY_ENDED';

export interface Recording {
  format: typeof FORMAT;
  request: { method: string; path: string; body: unknown };
  /** Absent when the fetch failed before any response (`end.kind` is then `refused`). */
  response?: {
    status: number;
    headers: Record<string, string>;
    /** When the headers arrived (epoch ms): replay moves reset times written as absolute dates by as much. */
    receivedAt?: number;
  };
  end: RecordedEnd;
  chunks: RecordedChunk[];
}

const fatalDecoder = new TextDecoder('utf-8', { fatal: true });

/** Stores a chunk as text when it is whole UTF-8 (the usual case), else as base64 so that no byte is lost. */
export function toRecordedChunk(ms: number, bytes: Uint8Array): RecordedChunk {
  try {
    return { ms, text: fatalDecoder.decode(bytes) };
  } catch {
    return { ms, base64: Buffer.from(bytes).toString('base64') };
  }
}

/** The bytes of a recorded chunk. */
export function fromRecordedChunk(chunk: RecordedChunk): Uint8Array {
  return 'text' in chunk ? new TextEncoder().encode(chunk.text) : new Uint8Array(Buffer.from(chunk.base64, 'base64'));
}

/** Serialises a recording: indented JSON, with each chunk on a line of its own. */
export function toRecordingText(recording: Recording): string {
  const { chunks, ...head } = recording;
  const text = JSON.stringify({ ...head, chunks: [] }, null, 2);
  const lines = chunks.map((chunk) => `    ${JSON.stringify(chunk)}`).join(',\n');
  // `"chunks": []` is the last property, so the last occurrence is ours, never one inside a body.
  const at = text.lastIndexOf('"chunks": []');
  return `${text.slice(0, at)}"chunks": [${chunks.length === 0 ? '' : `\n${lines}\n  `}]${text.slice(at + '"chunks": []'.length)}\n`;
}

/** Parses and validates a recording file's text; throws an Error that says what is wrong. */
export function fromRecordingText(text: string): Recording {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`not valid JSON (${(error as Error).message})`);
  }
  const record = value as Partial<Recording> | null;
  if (record === null || typeof record !== 'object') throw new Error('not a JSON object');
  if (record.format !== FORMAT) throw new Error(`"format" must be ${JSON.stringify(FORMAT)}`);
  const request = record.request;
  if (typeof request?.method !== 'string' || typeof request.path !== 'string' || !request.path.startsWith('/')) {
    throw new Error('"request" needs a "method" and a "path" starting with "/"');
  }
  if (record.response !== undefined && (!Number.isInteger(record.response.status) || typeof record.response.headers !== 'object')) {
    throw new Error('"response" needs an integer "status" and a "headers" object');
  }
  const kind = record.end?.kind;
  if (kind !== 'complete' && kind !== 'broken' && kind !== 'refused') throw new Error('"end.kind" must be complete, broken or refused');
  if (record.response?.receivedAt !== undefined && !Number.isFinite(record.response.receivedAt)) throw new Error('"response.receivedAt" must be a number (epoch ms)');
  if (kind !== 'refused' && record.response === undefined) throw new Error('"response" is missing (only a refused exchange has none)');
  if (!Array.isArray(record.chunks)) throw new Error('"chunks" must be an array');
  record.chunks.forEach((chunk, i) => {
    const valid = typeof chunk?.ms === 'number' && chunk.ms >= 0 && (typeof (chunk as { text?: unknown }).text === 'string' || typeof (chunk as { base64?: unknown }).base64 === 'string');
    if (!valid) throw new Error(`chunk ${i} needs "ms" (>= 0) and "text" or "base64"`);
  });
  return record as Recording;
}

/** A file name that sorts in time order and says what the exchange was: `0007-chat-qwen3-coder-free.json`. */
export function recordingFileName(seq: number, method: string, path: string, body: unknown): string {
  const route = path.split('?')[0]?.replace(/^\/+/, '') ?? '';
  const kind = route === 'chat/completions' ? 'chat' : route === '' ? method.toLowerCase() : route;
  const model = (body as { model?: unknown } | null)?.model;
  const slug = typeof model === 'string' ? model.split('/').pop() ?? model : '';
  const name = [kind, slug].filter((part) => part !== '').join('-').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  return `${String(seq).padStart(4, '0')}-${name || 'exchange'}.json`;
}
