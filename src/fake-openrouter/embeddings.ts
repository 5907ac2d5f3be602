// POST /embeddings: deterministic 16-dimension unit vectors for embedding models only.
import { createHash } from 'node:crypto';
import { isEmbeddingModel } from './catalog.ts';
import { applyEarlyFault, findModel, rejectOverFreeLimit, rejectUnauthenticated, sendError, sendJson } from './context.ts';
import type { HandlerContext } from './context.ts';
import { errorReply } from './errors.ts';
import { countWords } from './request.ts';

const DIMENSIONS = 16;

/** A unit-length vector derived from the SHA-256 of the text, so equal inputs embed equally. */
export function embeddingVector(text: string): number[] {
  const digest = createHash('sha256').update(text).digest();
  const raw = Array.from({ length: DIMENSIONS }, (_, i) => digest.readInt16BE(i * 2) / 32768);
  const norm = Math.hypot(...raw) || 1;
  return raw.map((x) => x / norm);
}

function readInputs(body: Record<string, unknown>): string[] | undefined {
  const input = body['input'];
  if (typeof input === 'string') return [input];
  if (Array.isArray(input) && input.length > 0 && input.every((x) => typeof x === 'string')) return input;
  return undefined;
}

/** Handles an embeddings request. */
export async function handleEmbeddings(ctx: HandlerContext): Promise<void> {
  const { state, sink } = ctx;
  if (rejectUnauthenticated(ctx)) return;
  const body = typeof ctx.body === 'object' && ctx.body !== null ? ctx.body as Record<string, unknown> : {};
  const modelId = typeof body['model'] === 'string' ? body['model'] : '';
  const model = findModel(state.models, modelId);
  const inputText = (readInputs(body) ?? []).join('\n');
  if (await applyEarlyFault(ctx, state.faults.take(modelId), modelId, model, inputText)) return;
  if (model === undefined) return sendError(sink, errorReply(400, `${modelId} is not a valid model ID`));
  if (!isEmbeddingModel(model)) return sendError(sink, errorReply(404, `No endpoints found for ${modelId}.`));
  const inputs = readInputs(body);
  if (inputs === undefined) return sendError(sink, errorReply(400, 'Input required: specify "input"'));
  if (rejectOverFreeLimit(ctx, modelId)) return;
  const tokens = inputs.reduce((sum, text) => sum + countWords(text), 0);
  const cost = Number((tokens * Math.max(0, Number(model.pricing.prompt) || 0)).toPrecision(10));
  state.usageUsd += cost;
  sendJson(sink, 200, {
    id: `embd-${Math.floor(Date.now() / 1000)}-${state.ids.next(20)}`,
    object: 'list',
    model: model.id,
    data: inputs.map((text, index) => ({ object: 'embedding', index, embedding: embeddingVector(text) })),
    usage: { prompt_tokens: tokens, total_tokens: tokens, cost },
  });
}
