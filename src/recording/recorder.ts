// The recorder: a fetch that passes every upstream exchange through unchanged and, once the body has
// ended (or broken), writes it to its own file. Nothing is awaited on the answer's path.
import type { Logger } from '../logger.ts';
import { FORMAT, PROXY_ENDED, recordingFileName, toRecordedChunk, type RecordedChunk, type RecordedEnd, type Recording } from './format.ts';
import { nextSequence, writeRecording } from './recording-set.ts';
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
}

// The headers that change what the proxy does; the rest (dates, cookies, CDN noise) would only churn diffs.
const KEPT_HEADER = /^(content-type|retry-after|x-ratelimit-.*|x-generation-id)$/i;

/** Wraps `inner` so that every exchange is recorded into `options.dir`. */
export function createRecordingFetch(inner: typeof fetch, options: RecorderOptions): typeof fetch {
  const monotonic = options.monotonic ?? (() => performance.now());
  let seq = nextSequence(options.dir);
  let warned = false;
  const save = (file: string, recording: Recording): void => {
    writeRecording(options.dir, file, recording).catch((error: unknown) => {
      if (warned) return;
      warned = true;
      options.logger.error('cannot write a recording; answers are unaffected, further write errors are not logged', { dir: options.dir, error });
    });
  };

  return async (input, init) => {
    const sent = requestOf(input, init, options.baseUrl);
    const request = { ...sent, body: redactBody(sent.body, options.secrets) };
    // A credential pasted into the prompt is cut from the answer as well, even where the model echoes it in pieces.
    const secrets = [...options.secrets, ...findSecrets(sent.body)];
    const file = recordingFileName(seq++, request.method, request.path, request.body);
    let response: Response;
    try {
      response = await inner(input, init);
    } catch (error) {
      save(file, { format: FORMAT, request, end: failure('refused', error, secrets, init?.signal), chunks: [] });
      throw error;
    }
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => { if (KEPT_HEADER.test(name)) headers[name] = value; });
    const head = { format: FORMAT, request, response: { status: response.status, headers, receivedAt: Date.now() } } as const;
    if (response.body === null) {
      save(file, { ...head, end: { kind: 'complete' }, chunks: [] });
      return response;
    }
    const body = teeBody(response.body, monotonic, init?.signal, (chunks, end) => save(file, { ...head, end, chunks: redactChunks(chunks, secrets) }));
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
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
