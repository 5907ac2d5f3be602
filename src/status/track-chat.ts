// Glue between a routed chat and the request log: it watches attempts, the first token, usage and
// the end of the stream. It only observes: every part and every error passes through unchanged.
import type { CatalogModel } from '../catalog/model-info.ts';
import { routingClassOf } from '../routing/failure-policy.ts';
import { toHttpError } from '../errors.ts';
import type { Usage } from '../chat/wire.ts';
import { UpstreamError } from '../errors.ts';
import { chunkHasContent, type ChatPart } from '../chat/parts.ts';
import type { RequestEntry } from './request-log.ts';

/** Wraps one attempt so that its outcome, status and duration land in the request's row. */
export function observeAttempts<T>(entry: RequestEntry, monotonic: () => number, attempt: (model: CatalogModel) => Promise<T>): (model: CatalogModel) => Promise<T> {
  return async (model) => {
    const started = monotonic();
    try {
      const value = await attempt(model);
      entry.attempt({ model: model.id, outcome: 'ok', ms: Math.round(monotonic() - started) });
      return value;
    } catch (error) {
      const status = toHttpError(error).status;
      // 499: the client went away while the model was being tried; not the model's failure.
      const outcome = status === 499 ? 'cancelled' : error instanceof UpstreamError ? routingClassOf(error) : 'error';
      entry.attempt({ model: model.id, outcome, status, error: error instanceof Error ? error.message : String(error), ms: Math.round(monotonic() - started) });
      throw error;
    }
  };
}

/** Ends the row for a request that failed before (or instead of) answering, and rethrows. */
export function endFailed(entry: RequestEntry, error: unknown): never {
  entry.end({ status: toHttpError(error).status });
  throw error;
}

/** Token counts from an upstream usage object, in the row's shape. */
export function toRowTokens(usage: Usage | undefined): { prompt?: number; completion?: number } | undefined {
  if (usage === undefined) return undefined;
  return { ...(usage.prompt_tokens !== undefined ? { prompt: usage.prompt_tokens } : {}), ...(usage.completion_tokens !== undefined ? { completion: usage.completion_tokens } : {}) };
}

/** Notes the first content and the usage of parts as they pass, for a collected (non-stream) answer. */
export function noteParts(entry: RequestEntry, batch: readonly ChatPart[], seen: { usage?: Usage; first?: boolean }): void {
  for (const part of batch) {
    if (part.type !== 'chunk') continue;
    // Only the first content matters; later chunks skip the content check.
    if (seen.first !== true && chunkHasContent(part.chunk)) {
      seen.first = true;
      entry.firstToken();
    }
    if (part.chunk.usage !== undefined) seen.usage = part.chunk.usage;
  }
}

/** What a committed stream reports as it is read: each batch, its end, or the client going away. */
export interface PartTracker {
  batch(batch: readonly ChatPart[]): void;
  end(): void;
  cancel(): void;
}

/**
 * Watches a committed stream without adding a stage to it: the first content marks time to first
 * token, and the stream's end (clean, in-band error, or the client leaving) ends the row.
 */
export function trackParts(entry: RequestEntry, model: CatalogModel): PartTracker {
  const seen: { usage?: Usage; first?: boolean } = {};
  let status = 200;
  const finish = () => entry.end({ status, model: model.id, ...(seen.usage ? { tokens: toRowTokens(seen.usage) } : {}) });
  return {
    batch(batch) {
      noteParts(entry, batch, seen);
      // Headers (200) are already out: the row shows the status the error would have had.
      const last = batch[batch.length - 1];
      if (last?.type === 'error') status = last.error.status;
    },
    end: finish,
    cancel() {
      status = 499;
      finish();
    },
  };
}
