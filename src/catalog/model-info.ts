import type { OpenRouterModel } from '../openrouter/types.ts';

export interface Capabilities {
  completion: boolean;
  tools: boolean;
  vision: boolean;
  thinking: boolean;
  embedding: boolean;
  /** Takes a JSON schema (`structured_outputs`); without it an endpoint ignores the schema and answers in prose. */
  structuredOutputs: boolean;
  /** Takes `response_format` at all (JSON mode). */
  jsonMode: boolean;
}

/** A model as the proxy reasons about it: OpenRouter's facts plus the Ollama name it is listed under. */
export interface CatalogModel {
  id: string;
  /** The Ollama name, always with a tag: `gpt-4o:latest`, `x-7b:free`, or `vendor/x-7b:free` on a collision. */
  name: string;
  title: string;
  /** The context window a request can use (see contextLengthOf); 0 when unknown. */
  contextLength: number;
  /** The largest completion the top provider allows, when OpenRouter says. */
  maxCompletionTokens?: number;
  free: boolean;
  capabilities: Capabilities;
  /** Unix seconds when OpenRouter added the model. */
  created: number;
  family: string;
  parameterSize: string;
}

/** A model is free when its id ends in `:free` or both its prices are "0"; routers' "-1" prices are not free. */
export function isFreeModel(model: OpenRouterModel): boolean {
  if (model.id.endsWith(':free')) return true;
  return model.pricing?.prompt === '0' && model.pricing?.completion === '0';
}

/** The context window a request can use: the top provider's when known, else the model's. */
export function contextLengthOf(model: OpenRouterModel): number {
  return model.top_provider?.context_length ?? model.context_length ?? 0;
}

/** Derives capabilities from `supported_parameters` and the architecture's modalities. */
export function capabilitiesOf(model: OpenRouterModel): Capabilities {
  const parameters = model.supported_parameters ?? [];
  const inputs = model.architecture?.input_modalities ?? [];
  const outputs = model.architecture?.output_modalities ?? ['text'];
  const embedding = outputs.includes('embeddings');
  return {
    completion: outputs.includes('text'),
    tools: parameters.includes('tools') || parameters.includes('tool_choice'),
    vision: inputs.includes('image'),
    thinking: parameters.includes('reasoning') || parameters.includes('include_reasoning'),
    embedding,
    structuredOutputs: parameters.includes('structured_outputs'),
    jsonMode: parameters.includes('response_format') || parameters.includes('structured_outputs'),
  };
}

/** The last path segment of an OpenRouter id with `:latest` added when untagged: `openai/gpt-4o` → `gpt-4o:latest`. */
export function shortName(id: string): string {
  const last = id.slice(id.lastIndexOf('/') + 1);
  return last.includes(':') ? last : `${last}:latest`;
}

/** The full id as an Ollama name, tag included: `acme/x-7b:free`, `openai/gpt-4o:latest`. */
export function fullName(id: string): string {
  return id.includes(':') ? id : `${id}:latest`;
}

/** Builds catalog entries in the given order; when two vendors share a short name, both are listed by full id. */
export function toCatalogModels(models: readonly OpenRouterModel[]): CatalogModel[] {
  const shortCounts = new Map<string, number>();
  for (const model of models) {
    const key = shortName(model.id).toLowerCase();
    shortCounts.set(key, (shortCounts.get(key) ?? 0) + 1);
  }
  return models.map((model) => {
    const short = shortName(model.id);
    const bare = model.id.slice(model.id.lastIndexOf('/') + 1).split(':')[0] ?? model.id;
    const maxCompletion = model.top_provider?.max_completion_tokens;
    return {
      id: model.id,
      name: (shortCounts.get(short.toLowerCase()) ?? 0) > 1 ? fullName(model.id) : short,
      title: model.name ?? model.id,
      contextLength: contextLengthOf(model),
      ...(typeof maxCompletion === 'number' && maxCompletion > 0 ? { maxCompletionTokens: maxCompletion } : {}),
      free: isFreeModel(model),
      capabilities: capabilitiesOf(model),
      created: model.created ?? 0,
      family: familyOf(bare),
      parameterSize: parameterSizeOf(bare),
    };
  });
}

function familyOf(bareName: string): string {
  const word = /^[a-z]+/i.exec(bareName)?.[0]?.toLowerCase();
  return word ?? 'unknown';
}

function parameterSizeOf(bareName: string): string {
  const match = /(?:^|[-_])(\d+(?:\.\d+)?)([bm])(?:$|[-_])/i.exec(bareName);
  return match ? `${match[1]}${(match[2] ?? 'b').toUpperCase()}` : '';
}

/** Free models first, largest context first; `sort` is stable, so ties keep OpenRouter's order. */
export function byPriority(models: readonly CatalogModel[]): CatalogModel[] {
  return [...models].sort((a, b) => Number(b.free) - Number(a.free) || (a.free && b.free ? b.contextLength - a.contextLength : 0));
}
