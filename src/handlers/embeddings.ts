import type { Routed } from '../core/routed-chat.ts';
import { isPlainObject } from '../dialects/field-validators.ts';
import { parseKeepAlive } from '../dialects/ollama/to-ollama.ts';
import { HttpError } from '../errors.ts';
import type { ParsedRequest, Reply } from '../http/url-router.ts';
import type { EmbeddingsResponse } from '../openrouter/types.ts';
import { DEFAULT_KEEP_ALIVE_MS } from '../store/recent-models.ts';
import { routingHeaders, type HandlerContext } from './context.ts';
import { modelNameFrom } from './models.ts';

const EMBEDDING = { kind: 'embedding', tools: false, vision: false } as const;

function inputsFrom(value: unknown, field: string): string[] {
  if (value === undefined || value === '') return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
  throw new HttpError(400, `invalid input type: ${field} must be a string or an array of strings`);
}

interface Embedded {
  vectors: number[][];
  /** The upstream's token count, or a word count when it reports none. */
  promptTokens: number;
}

async function embed(context: HandlerContext, request: ParsedRequest, model: string, inputs: string[], dimensions: unknown): Promise<Routed<Embedded>> {
  const started = context.clock.monotonic();
  const routed = await context.core.embeddings(
    { requestedModel: model, needs: EMBEDDING, signal: request.signal },
    (candidate) => ({ model: candidate.id, input: inputs, ...(typeof dimensions === 'number' ? { dimensions } : {}) }),
    (response) => ({ vectors: vectorsFrom(response, inputs.length), promptTokens: response.usage?.prompt_tokens ?? countWords(inputs) }),
  );
  context.logger.debug('embeddings', { model: routed.model.id, inputs: inputs.length, ms: Math.round(context.clock.monotonic() - started) });
  return routed;
}

function countWords(inputs: readonly string[]): number {
  return inputs.reduce((sum, text) => sum + (text.trim() === '' ? 0 : text.trim().split(/\s+/).length), 0);
}

function vectorsFrom(response: EmbeddingsResponse, expected: number): number[][] {
  // An upstream's `data: 5` or `[null]` is its failure to answer, not the proxy's TypeError.
  const items: unknown[] = Array.isArray(response.data) ? response.data : [];
  const data = items.filter((item): item is NonNullable<EmbeddingsResponse['data']>[number] => typeof item === 'object' && item !== null);
  data.sort((a, b) => (Number(a.index) || 0) - (Number(b.index) || 0));
  const vectors = data.map((item) => item.embedding);
  if (vectors.length !== expected || !vectors.every((vector) => Array.isArray(vector))) {
    throw new HttpError(502, `OpenRouter returned ${vectors.length} embeddings for ${expected} inputs`);
  }
  return vectors as number[][];
}

/** A request's `keep_alive` in ms, read before going upstream so that a bad value costs nothing. */
function keepAliveFrom(value: unknown): number {
  if (value !== undefined && value !== null && typeof value !== 'number' && typeof value !== 'string') {
    throw new HttpError(400, 'keep_alive must be a number or a duration string');
  }
  return parseKeepAlive(value ?? undefined) ?? DEFAULT_KEEP_ALIVE_MS;
}

/** `POST /api/embed`: `input` is a string or a list; the answer holds one vector per input. */
export async function handleOllamaEmbed(context: HandlerContext, request: ParsedRequest): Promise<Reply> {
  const model = modelNameFrom(request.body);
  const body = request.body as Record<string, unknown>;
  const inputs = inputsFrom(body.input, 'input');
  if (inputs.length === 0) return { json: { model, embeddings: [] } };
  const keepAliveMs = keepAliveFrom(body.keep_alive);
  const started = context.clock.monotonic();
  const routed = await embed(context, request, model, inputs, body.dimensions);
  // Ollama lists an embedding model in /api/ps after use, like any other.
  context.recent.touch(model, routed.model, keepAliveMs);
  const nanos = Math.max(1, Math.round((context.clock.monotonic() - started) * 1e6));
  return {
    json: { model, embeddings: routed.value.vectors, total_duration: nanos, load_duration: 0, prompt_eval_count: routed.value.promptTokens },
    headers: routingHeaders(routed.model, routed.attempts),
  };
}

/** `POST /api/embeddings` (legacy): one `prompt`, one `embedding`. */
export async function handleOllamaEmbeddings(context: HandlerContext, request: ParsedRequest): Promise<Reply> {
  const model = modelNameFrom(request.body);
  const body = request.body as Record<string, unknown>;
  const inputs = inputsFrom(body.prompt, 'prompt');
  if (inputs.length === 0) return { json: { embedding: [] } };
  const keepAliveMs = keepAliveFrom(body.keep_alive);
  const routed = await embed(context, request, model, inputs, undefined);
  context.recent.touch(model, routed.model, keepAliveMs);
  return { json: { embedding: routed.value.vectors[0] }, headers: routingHeaders(routed.model, routed.attempts) };
}

/**
 * OpenAI's `encoding_format: "base64"`: the vector as little-endian float32 bytes. The `openai`
 * client asks for it by default and decodes it itself, so plain arrays would reach users as garbage.
 */
export function toBase64Floats(vector: readonly number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  // writeFloatLE, not a Float32Array view: the byte order must not depend on the host (s390x is big-endian).
  vector.forEach((value, index) => bytes.writeFloatLE(value, index * 4));
  return bytes.toString('base64');
}

/** `POST /v1/embeddings`, in OpenAI's shape; vectors are fetched as floats and encoded here when asked. */
export async function handleOpenAIEmbeddings(context: HandlerContext, request: ParsedRequest): Promise<Reply> {
  if (!isPlainObject(request.body)) throw new HttpError(400, 'request body must be a JSON object');
  const model = request.body.model;
  if (typeof model !== 'string' || model === '') throw new HttpError(400, 'model is required');
  const inputs = request.body.input === '' ? [''] : inputsFrom(request.body.input, 'input');
  if (inputs.length === 0) throw new HttpError(400, 'invalid input: input must not be empty');
  const format = request.body.encoding_format ?? 'float';
  if (format !== 'float' && format !== 'base64') throw new HttpError(400, 'encoding_format must be "float" or "base64"');
  const routed = await embed(context, request, model, inputs, request.body.dimensions);
  const tokens = routed.value.promptTokens;
  return {
    json: {
      object: 'list',
      data: routed.value.vectors.map((vector, index) => ({ object: 'embedding', embedding: format === 'base64' ? toBase64Floats(vector) : vector, index })),
      model,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    },
    headers: routingHeaders(routed.model, routed.attempts),
  };
}
