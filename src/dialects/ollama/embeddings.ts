// Ollama's embeddings: `/api/embed` (a list of inputs) and the legacy `/api/embeddings` (one prompt).
import type { ParsedRequest, Reply } from '../../http/url-router.ts';
import { routingHeaders, type HandlerContext } from '../../serving/context.ts';
import { embed } from '../../serving/embed.ts';
import { DEFAULT_KEEP_ALIVE_MS } from '../../store/recent-models.ts';
import { modelNameFrom } from './models.ts';
import { parseKeepAlive } from './to-ollama.ts';
import { reject, inputsFrom } from '../field-validators.ts';

/** A request's `keep_alive` in ms, read before going upstream so that a bad value costs nothing. */
function keepAliveFrom(value: unknown): number {
  if (value !== undefined && value !== null && typeof value !== 'number' && typeof value !== 'string') {
    reject('keep_alive', 'a number or a duration string');
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
