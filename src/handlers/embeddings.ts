import type { RoutedResult } from '../catalog/routing.ts';
import { isPlainObject } from '../convert/field-validators.ts';
import { HttpError } from '../http/errors.ts';
import type { ParsedRequest, Reply } from '../http/router.ts';
import type { EmbeddingsResponse } from '../openrouter/types.ts';
import { routingHeaders, type HandlerContext } from './context.ts';
import { modelNameFrom } from './ollama-models.ts';

const EMBEDDING = { kind: 'embedding', tools: false, vision: false } as const;

function inputsFrom(value: unknown, field: string): string[] {
  if (value === undefined || value === '') return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
  throw new HttpError(400, `invalid input type: ${field} must be a string or an array of strings`);
}

async function embed(context: HandlerContext, request: ParsedRequest, model: string, inputs: string[], dimensions: unknown): Promise<RoutedResult<number[][]>> {
  const started = context.clock.monotonic();
  const plan = context.router.plan(model, EMBEDDING);
  const routed = await context.router.run(
    plan,
    async (candidate) => {
      const body = { model: candidate.id, input: inputs, ...(typeof dimensions === 'number' ? { dimensions } : {}) };
      return vectorsFrom(await context.client.embeddings(body, request.signal), inputs.length);
    },
    request.signal,
  );
  context.logger.debug('embeddings', { model: routed.model.id, inputs: inputs.length, ms: Math.round(context.clock.monotonic() - started) });
  return routed;
}

function vectorsFrom(response: EmbeddingsResponse, expected: number): number[][] {
  const data = [...(response.data ?? [])].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
  const vectors = data.map((item) => item.embedding);
  if (vectors.length !== expected || !vectors.every((vector) => Array.isArray(vector))) {
    throw new HttpError(502, `OpenRouter returned ${vectors.length} embeddings for ${expected} inputs`);
  }
  return vectors as number[][];
}

/** `POST /api/embed`: `input` is a string or a list; the answer holds one vector per input. */
export async function handleOllamaEmbed(context: HandlerContext, request: ParsedRequest): Promise<Reply> {
  const model = modelNameFrom(request.body);
  const body = request.body as Record<string, unknown>;
  const inputs = inputsFrom(body.input, 'input');
  if (inputs.length === 0) return { json: { model, embeddings: [] } };
  const started = context.clock.monotonic();
  const routed = await embed(context, request, model, inputs, body.dimensions);
  const nanos = Math.max(1, Math.round((context.clock.monotonic() - started) * 1e6));
  return {
    json: { model, embeddings: routed.value, total_duration: nanos, load_duration: 0, prompt_eval_count: inputs.join(' ').split(/\s+/).length },
    headers: routingHeaders(routed.model, routed.attempts),
  };
}

/** `POST /api/embeddings` (legacy): one `prompt`, one `embedding`. */
export async function handleOllamaEmbeddings(context: HandlerContext, request: ParsedRequest): Promise<Reply> {
  const model = modelNameFrom(request.body);
  const inputs = inputsFrom((request.body as Record<string, unknown>).prompt, 'prompt');
  if (inputs.length === 0) return { json: { embedding: [] } };
  const routed = await embed(context, request, model, inputs, undefined);
  return { json: { embedding: routed.value[0] }, headers: routingHeaders(routed.model, routed.attempts) };
}

/** `POST /v1/embeddings`, in OpenAI's shape. */
export async function handleOpenAIEmbeddings(context: HandlerContext, request: ParsedRequest): Promise<Reply> {
  if (!isPlainObject(request.body)) throw new HttpError(400, 'request body must be a JSON object');
  const model = request.body.model;
  if (typeof model !== 'string' || model === '') throw new HttpError(400, 'model is required');
  const inputs = request.body.input === '' ? [''] : inputsFrom(request.body.input, 'input');
  if (inputs.length === 0) throw new HttpError(400, 'invalid input: input must not be empty');
  const routed = await embed(context, request, model, inputs, request.body.dimensions);
  const tokens = inputs.join(' ').split(/\s+/).length;
  return {
    json: {
      object: 'list',
      data: routed.value.map((embedding, index) => ({ object: 'embedding', embedding, index })),
      model,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    },
    headers: routingHeaders(routed.model, routed.attempts),
  };
}
