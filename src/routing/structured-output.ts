// Structured-output routing: a JSON schema goes to models that honour one, JSON mode to models that
// take `response_format`; an endpoint without the parameter ignores it and answers in prose.
import type { CatalogModel } from '../catalog/model-info.ts';
import type { ChatBody } from '../chat/wire.ts';

/** The structured output a request asks for. */
export type OutputNeed = 'json_schema' | 'json_object';

/** What a converted request asks for in `response_format`, if anything. */
export function outputOf(chat: Pick<ChatBody, 'response_format'>): OutputNeed | undefined {
  const type = (chat.response_format as { type?: unknown } | undefined)?.type;
  return type === 'json_schema' || type === 'json_object' ? type : undefined;
}

/** Whether a model honours the structured output asked for. */
export function servesOutput(model: CatalogModel, need: OutputNeed | undefined): boolean {
  if (need === 'json_schema') return model.capabilities.structuredOutputs;
  if (need === 'json_object') return model.capabilities.jsonMode;
  return true;
}

/**
 * The models that honour the output asked for, when any does. When none does, all of them, as before
 * this routing existed (a schema is then best effort), with `unmet` set so the caller can say so.
 */
export function preferOutput(models: readonly CatalogModel[], need: OutputNeed | undefined): { models: readonly CatalogModel[]; unmet: boolean } {
  if (need === undefined) return { models, unmet: false };
  const serving = models.filter((model) => servesOutput(model, need));
  return serving.length > 0 ? { models: serving, unmet: false } : { models, unmet: true };
}
