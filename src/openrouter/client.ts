import type { ChatCompletion, ChatRequest, UpstreamErrorBody } from '../chat/wire.ts';
import { UpstreamError } from '../errors.ts';
import { upstreamAnswerStage } from './answer-stage.ts';
import { malformedCompletionReason } from './chunk-shape.ts';
import type { EmbeddingsRequest, EmbeddingsResponse, KeyInfo, OpenRouterModel } from './types.ts';
import { classifyUpstreamError, networkError } from './upstream-error.ts';
import { readUpstreamAnswer, type UpstreamAnswer } from './upstream-body.ts';
import { createWatchdog, type AttemptWatchdog } from './watchdog.ts';

export interface OpenRouterClientOptions {
  baseUrl: string;
  apiKey: string;
  fetch: typeof fetch;
  firstTokenTimeoutMs: number;
  streamIdleTimeoutMs: number;
  requestTimeoutMs: number;
  now: () => number;
  monotonic: () => number;
}

export interface OpenedChatStream {
  /** The answer as it streams: event batches (one per network read), or raw reads for one TransformStream. */
  answer: UpstreamAnswer;
  /** Monotonic ms at which the upstream answered with headers. */
  headersAt: number;
}

export interface OpenRouterClient {
  listModels(signal?: AbortSignal): Promise<OpenRouterModel[]>;
  /** Opens a streamed chat; rejects with UpstreamError when the upstream refuses before streaming. */
  chatStream(body: ChatRequest, signal: AbortSignal): Promise<OpenedChatStream>;
  /** A non-streamed chat; a 200 body holding only `error` rejects like any other upstream error. */
  chat(body: ChatRequest, signal: AbortSignal): Promise<ChatCompletion>;
  embeddings(body: EmbeddingsRequest, signal: AbortSignal): Promise<EmbeddingsResponse>;
  /** `GET /key`: the key's tier and usage; rejects with UpstreamError (401 for a bad key). */
  keyInfo(signal?: AbortSignal): Promise<KeyInfo>;
}

const MAX_ERROR_BODY = 64 * 1024;
// Non-streamed bodies are read whole, so they are capped like error bodies, at sizes no real answer
// reaches: a chat completion is text (a 100k-token answer is well under 1 MiB); an embedding is about
// 20 bytes of JSON per dimension, so a few thousand dimensions per input. Past the cap: a 502.
const MAX_COMPLETION_BODY = 16 * 1024 * 1024;
const MAX_EMBEDDING_BODY_PER_INPUT = 128 * 1024;
const MAX_CATALOG_BODY = 64 * 1024 * 1024;
const MAX_KEY_BODY = 1024 * 1024;

/** Builds the only code that talks to OpenRouter. Every URL is the configured base plus a fixed path. */
export function createOpenRouterClient(options: OpenRouterClientOptions): OpenRouterClient {
  // Whatever an upstream echoes, the key never reaches a client or the dashboard.
  const secrets = [options.apiKey];
  const headers = {
    Authorization: `Bearer ${options.apiKey}`,
    'Content-Type': 'application/json',
    'HTTP-Referer': 'https://github.com/ollama-openrouter-proxy',
    'X-Title': 'ollama-openrouter-proxy',
  };

  async function post(path: string, body: unknown, signal: AbortSignal): Promise<Response> {
    try {
      return await options.fetch(`${options.baseUrl}${path}`, { method: 'POST', headers, body: JSON.stringify(body), signal });
    } catch (error) {
      throw networkError(signal.aborted ? signal.reason : error, options.baseUrl);
    }
  }

  async function failure(response: Response): Promise<UpstreamError> {
    const text = await readAtMost(response, MAX_ERROR_BODY).catch(() => '');
    const parsed = parseLenient(text) as { error?: UpstreamErrorBody } | undefined;
    const body = parsed?.error ?? { message: text.trim().slice(0, 300) || response.statusText };
    return classifyUpstreamError(response.status, body, response.headers, options.now(), secrets);
  }

  async function readJson<T extends { error?: UpstreamErrorBody }>(path: string, body: unknown, outerSignal: AbortSignal, maxBytes: number): Promise<T> {
    const watchdog = attemptWatchdog(options, 'response', outerSignal);
    const signal = watchdog.signal;
    try {
      const response = await post(path, body, signal);
      watchdog.gotHeaders();
      if (!response.ok) throw await failure(response);
      // OpenRouter may send whitespace keep-alives before a slow non-streamed body; JSON.parse skips them.
      const text = response.body === null ? '' : await watchdog.readText(response.body, maxBytes);
      const parsed = parseLenient(text) as T | undefined;
      if (parsed === undefined || typeof parsed !== 'object' || parsed === null) {
        throw new UpstreamError(502, 'OpenRouter returned a response that is not JSON', 'transient');
      }
      if (parsed.error !== undefined && parsed.error !== null) throw classifyUpstreamError(response.status, parsed.error, response.headers, options.now(), secrets);
      return parsed;
    } catch (error) {
      throw networkError(signal.aborted ? signal.reason : error, options.baseUrl);
    } finally {
      watchdog.clear();
    }
  }

  return {
    async listModels(signal) {
      let response: Response;
      try {
        response = await options.fetch(`${options.baseUrl}/models?output_modalities=all`, { headers, signal: signal ?? AbortSignal.timeout(30_000) });
      } catch (error) {
        throw networkError(error, options.baseUrl);
      }
      if (!response.ok) throw await failure(response);
      const parsed = parseLenient(await readAtMost(response, MAX_CATALOG_BODY)) as { data?: unknown } | undefined;
      if (!Array.isArray(parsed?.data)) throw new UpstreamError(502, 'OpenRouter /models returned no model list', 'transient');
      return parsed.data.filter((model): model is OpenRouterModel => typeof (model as OpenRouterModel)?.id === 'string');
    },

    async chatStream(body, outerSignal) {
      const watchdog = attemptWatchdog(options, 'first-token', outerSignal);
      const signal = watchdog.signal;
      let response: Response;
      try {
        response = await post('/chat/completions', { ...body, stream: true }, signal);
        if (!response.ok) throw await failure(response);
        if (response.body === null) throw new UpstreamError(502, 'OpenRouter sent an empty stream', 'transient');
      } catch (error) {
        watchdog.clear();
        throw networkError(signal.aborted ? signal.reason : error, options.baseUrl);
      }
      const headersAt = options.monotonic();
      const answer = readUpstreamAnswer(response.body.getReader(), {
        // bytes → text → SSE events → answer events, run synchronously on each read (see streams/stage.ts).
        stage: upstreamAnswerStage(options.now, watchdog.gotEvents, secrets),
        read: watchdog.read,
        toError: (cause) => networkError(signal.aborted ? signal.reason : cause, options.baseUrl, 'stream'),
        clientSignal: outerSignal,
        onEnd: watchdog.clear,
      });
      return { answer, headersAt };
    },

    async chat(body, signal) {
      const completion = await readJson<ChatCompletion>('/chat/completions', { ...body, stream: false }, signal, MAX_COMPLETION_BODY);
      // Checked before anything reads it, so a `choices: 5` is a 502 that says so, not a TypeError.
      const malformed = malformedCompletionReason(completion);
      if (malformed !== undefined) throw new UpstreamError(502, `OpenRouter sent a malformed completion (${malformed})`, 'transient');
      // A 200 body can carry a choice that failed part-way (`finish_reason: "error"` plus `error`).
      const failed = completion.choices?.find((choice) => choice.error !== undefined && choice.error !== null)?.error;
      if (failed !== undefined && failed !== null) throw classifyUpstreamError(502, failed, undefined, options.now(), secrets);
      if (!Array.isArray(completion.choices)) throw new UpstreamError(502, 'OpenRouter returned a completion without choices', 'transient');
      return completion;
    },
    embeddings: (body, signal) => readJson<EmbeddingsResponse>('/embeddings', body, signal, MAX_COMPLETION_BODY + (Array.isArray(body.input) ? body.input.length : 1) * MAX_EMBEDDING_BODY_PER_INPUT),

    async keyInfo(signal) {
      let response: Response;
      try {
        response = await options.fetch(`${options.baseUrl}/key`, { headers, signal: signal ?? AbortSignal.timeout(30_000) });
      } catch (error) {
        throw networkError(error, options.baseUrl);
      }
      if (!response.ok) throw await failure(response);
      const parsed = parseLenient(await readAtMost(response, MAX_KEY_BODY)) as { data?: unknown } | undefined;
      if (typeof parsed?.data !== 'object' || parsed.data === null) throw new UpstreamError(502, 'OpenRouter /key returned no key data', 'transient');
      return parsed.data as KeyInfo;
    },
  };
}

/** The watchdog of one attempt: streams wait FIRST_TOKEN_TIMEOUT for an event, non-streamed calls REQUEST_TIMEOUT for all of it. */
function attemptWatchdog(options: OpenRouterClientOptions, firstWait: 'first-token' | 'response', clientSignal: AbortSignal): AttemptWatchdog {
  const firstMs = firstWait === 'first-token' ? options.firstTokenTimeoutMs : options.requestTimeoutMs;
  const headersMs = options.firstTokenTimeoutMs;
  return createWatchdog({
    firstMs,
    firstMessage: firstWait === 'first-token'
      ? `the model sent no data within ${firstMs / 1000} s (FIRST_TOKEN_TIMEOUT_SECONDS)`
      : `OpenRouter did not answer within ${firstMs / 1000} s (REQUEST_TIMEOUT_SECONDS)`,
    // OpenRouter answers a non-streamed request with its headers at once and keeps the connection
    // alive with whitespace while the model works; headers that never come are a dead upstream,
    // given up on as soon as a stream would be.
    ...(firstWait === 'response' && headersMs < firstMs
      ? { headersMs, headersMessage: `OpenRouter sent no response headers within ${headersMs / 1000} s (FIRST_TOKEN_TIMEOUT_SECONDS)` }
      : {}),
    idleMs: options.streamIdleTimeoutMs,
  }, clientSignal);
}

// An error body is read only this far: a broken upstream must not make the proxy buffer without limit.
async function readAtMost(response: Response, maxBytes: number): Promise<string> {
  if (response.body === null) return '';
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  for await (const chunk of response.body) {
    bytes += chunk.byteLength;
    text += decoder.decode(chunk, { stream: true });
    // Leaving the loop early cancels the body, which closes the connection.
    if (bytes >= maxBytes) break;
  }
  return text + decoder.decode();
}

function parseLenient(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
