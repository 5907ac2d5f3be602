import type { CatalogModel } from '../../catalog/model-info.ts';
import { badRequest, reject } from '../field-validators.ts';

/** An Anthropic model object; ids are the same `name:tag` names `/api/tags` and OpenAI's `/v1/models` list. */
export interface AnthropicModel {
  type: 'model';
  id: string;
  display_name: string;
  created_at: string;
  /** The model's context window, as Anthropic's Models API reports it (Claude Code reads it from there for models it does not know). */
  max_input_tokens?: number;
}

export interface AnthropicModelPage {
  data: AnthropicModel[];
  has_more: boolean;
  first_id: string | null;
  last_id: string | null;
}

/** A listed name (a model's own, or an alias) and the model it serves. */
export interface ListedModel {
  id: string;
  model: CatalogModel;
}

/** A catalog model in Anthropic's shape. */
export function toAnthropicModel(model: CatalogModel, id = model.name): AnthropicModel {
  const window = model.contextLength > 0 ? { max_input_tokens: model.contextLength } : {};
  return { type: 'model', id, display_name: model.title, created_at: new Date(model.created * 1000).toISOString(), ...window };
}

/**
 * One page of Anthropic's model list. As Anthropic documents: `limit` (1-1000, default 20),
 * `after_id` pages forward, `before_id` pages backward; unknown cursor ids are a 400.
 */
export function toAnthropicModelPage(models: readonly ListedModel[], query: URLSearchParams): AnthropicModelPage {
  const limit = query.has('limit') ? Number(query.get('limit')) : 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) reject('limit', 'an integer from 1 to 1000');
  const ids = models.map((entry) => entry.id);
  const cursor = (name: 'after_id' | 'before_id'): number | undefined => {
    const id = query.get(name);
    if (id === null) return undefined;
    const at = ids.indexOf(id);
    if (at < 0) badRequest(`${name} '${id}' is not a listed model`);
    return at;
  };
  const before = cursor('before_id');
  const after = cursor('after_id');
  const start = before !== undefined ? Math.max(0, before - limit) : after !== undefined ? after + 1 : 0;
  const end = before !== undefined ? before : Math.min(models.length, start + limit);
  const data = models.slice(start, end).map((entry) => toAnthropicModel(entry.model, entry.id));
  return {
    data,
    has_more: before !== undefined ? start > 0 : end < models.length,
    first_id: data[0]?.id ?? null,
    last_id: data[data.length - 1]?.id ?? null,
  };
}
