// Embeddings through the core, shared by Ollama's /api/embed and /api/embeddings and OpenAI's /v1/embeddings.
import type { Routed } from '../core/routed-chat.ts';
import { HttpError } from '../errors.ts';
import type { ParsedRequest } from '../http/url-router.ts';
import type { EmbeddingsResponse } from '../openrouter/types.ts';
import type { HandlerContext } from './context.ts';

const EMBEDDING = { kind: 'embedding', tools: false, vision: false } as const;

export interface Embedded {
  vectors: number[][];
  /** The upstream's token count, or a word count when it reports none. */
  promptTokens: number;
}

/** Routes an embeddings request and checks the answer (one vector per input) inside the attempt. */
export async function embed(context: HandlerContext, request: ParsedRequest, model: string, inputs: string[], dimensions: unknown): Promise<Routed<Embedded>> {
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
