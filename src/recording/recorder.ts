// The recorder: a fetch that passes every upstream exchange through unchanged and, once the body has
// ended (or broken), writes it to its own file. Nothing is awaited on the answer's path.
import type { Logger } from '../logger.ts';
import { FORMAT, PROXY_ENDED, recordingFileName, toRecordedChunk, type RecordedChunk, type RecordedEnd, type Recording } from './format.ts';
import { prepareRecordingDir } from './recording-set.ts';
import { createRecordingWrites, type RecordingWritesOptions } from './recording-writes.ts';
import { findSecrets, redactBody, redactText } from './redact.ts';
import { requestOf } from './request-of.ts';

export interface RecorderOptions {
  dir: string;
  /** The configured upstream base URL; recorded paths are relative to it. */
  baseUrl: string;
  /** Values written nowhere, whatever their shape (the API key). */
  secrets: readonly string[];
  logger: Logger;
  monotonic?: () => number;
  /** Stands in for the file write (tests: a full disk). */
  write?: RecordingWritesOptions['write'];
}

export interface Recorder {
  /** A fetch that records the exchange; `afterSave` runs once its file is on disk. */
  fetch(input: Parameters<typeof fetch>[0], init?: RequestInit, afterSave?: AfterSave): Promise<Response>;
  /** Resolves once every exchange begun so far has ended and been written (or failed to be). */
  settled(): Promise<void>;
  /** How many exchanges are still open or being written. */
  pending(): number;
}

/** Runs once an exchange's file is on disk; shutdown waits for it too. */
export type AfterSave = (file: string) => Promise<void>;

// The headers that change what the proxy does; the rest (dates, cookies, CDN noise) would only churn diffs.
const KEPT_HEADER = /^(content-type|retry-after|x-ratelimit-.*|x-generation-id)$/i;

/** Records every exchange made through it into `options.dir`, numbering on after what is there. */
export function createRecorder(inner: typeof fetch, options: RecorderOptions): Recorder {
  const monotonic = options.monotonic ?? (() => performance.now());
  const prepared = prepareRecordingDir(options.dir);
  if (prepared.removed.length > 0) options.logger.warn('removed partial recordings left by a proxy that did not stop cleanly', { dir: options.dir, files: prepared.removed });
  let seq = prepared.next;
  const writes = createRecordingWrites({ dir: options.dir, logger: options.logger, ...(options.write ? { write: options.write } : {}) });

  async function record(input: Parameters<typeof fetch>[0], init: RequestInit | undefined, afterSave?: AfterSave): Promise<Response> {
    const sent = requestOf(input, init, options.baseUrl);
    const request = { ...sent, body: redactBody(sent.body, options.secrets) };
    // A credential pasted into the prompt is cut from the answer as well, even where the model echoes it in pieces.
    const secrets = [...options.secrets, ...findSecrets(sent.body)];
    const file = recordingFileName(seq++, request.method, request.path, request.body);
    // Open from now until its file is written, so that shutdown can wait for it.
    const done = writes.begin();
    const save = (recording: Recording): void => {
      void writes.save(file, recording).then(async (saved) => {
        if (saved) await afterSave?.(file);
      }).catch((error: unknown) => options.logger.warn('recorded, but what follows the recording failed', { file, error })).finally(done);
    };
    let response: Response;
    try {
      response = await inner(input, init);
    } catch (error) {
      save({ format: FORMAT, request, end: failure('refused', error, secrets, init?.signal), chunks: [] });
      throw error;
    }
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => { if (KEPT_HEADER.test(name)) headers[name] = value; });
    const head = { format: FORMAT, request, response: { status: response.status, headers, receivedAt: Date.now() } } as const;
    if (response.body === null) {
      save({ ...head, end: { kind: 'complete' }, chunks: [] });
      return response;
    }
    const body = teeBody(response.body, monotonic, init?.signal, (chunks, end) => save({ ...head, end, chunks: redactChunks(chunks, secrets) }));
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  }

  return { fetch: record, settled: writes.settled, pending: writes.pending };
}

/** A pass-through body that notes each chunk with its offset and reports once when it ends, breaks or is cancelled. */
function teeBody(source: ReadableStream<Uint8Array>, monotonic: () => number, signal: AbortSignal | null | undefined, done: (chunks: RecordedChunk[], end: RecordedEnd) => void): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  const startedAt = monotonic();
  const chunks: RecordedChunk[] = [];
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let result: Awaited<ReturnType<typeof reader.read>>;
      try {
        result = await reader.read();
      } catch (error) {
        controller.error(error);
        done(chunks, failure('broken', error, [], signal));
        return;
      }
      if (result.done) {
        controller.close();
        done(chunks, { kind: 'complete' });
        return;
      }
      controller.enqueue(result.value);
      chunks.push(toRecordedChunk(Math.round(monotonic() - startedAt), result.value));
    },
    async cancel(reason) {
      // The proxy stopped reading (client gone, watchdog, error body read far enough): what arrived is what the proxy saw.
      done(chunks, { kind: 'broken', message: `cancelled by the proxy: ${reason instanceof Error ? reason.message : String(reason)}`, code: PROXY_ENDED });
      await reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}

function failure(kind: 'refused' | 'broken', error: unknown, secrets: readonly string[], signal: AbortSignal | null | undefined): RecordedEnd {
  const reason = signal?.aborted ? signal.reason : error;
  const cause = (reason as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  const code = signal?.aborted ? PROXY_ENDED : typeof cause?.code === 'string' ? cause.code : undefined;
  const message = redactText(typeof cause?.message === 'string' ? cause.message : reason instanceof Error ? reason.message : String(reason), secrets);
  return code === undefined ? { kind, message } : { kind, message, code };
}

function redactChunks(chunks: RecordedChunk[], secrets: readonly string[]): RecordedChunk[] {
  // Models echo prompts, so an answer can repeat a pasted key: text chunks get the same redaction as
  // request bodies. A key split across two network chunks is not caught (the README says so).
  return chunks.map((chunk) => ('text' in chunk ? { ms: chunk.ms, text: redactText(chunk.text, secrets) } : chunk));
}
