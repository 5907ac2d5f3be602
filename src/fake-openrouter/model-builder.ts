// Expands a compact model description into a full OpenRouter model object, so catalogs stay short.
import type { FakeModel } from './types.ts';

export interface ModelSpec {
  id: string;
  name: string;
  created: number;
  description: string;
  context: number;
  topContext?: number;
  maxOutput?: number | null;
  prompt: string;
  completion: string;
  tokenizer: string;
  instructType?: string | null;
  inputs?: string[];
  outputs?: string[];
  tools?: boolean;
  reasoning?: boolean | 'mandatory';
  // false: no `structured_outputs` (a JSON schema is ignored, as such endpoints do); default true.
  structured?: boolean;
  // false: no `response_format` either (not even JSON mode); default true.
  jsonMode?: boolean;
  expires?: string | null;
  moderated?: boolean;
  canonical?: string;
  huggingFace?: string | null;
}

/** Builds the `supported_parameters` list in the order OpenRouter tends to list them. */
function supportedParameters(spec: ModelSpec): string[] {
  if (spec.outputs?.includes('embeddings')) return [];
  const params = ['max_tokens', 'temperature', 'top_p'];
  if (spec.tools) params.push('tools', 'tool_choice');
  if (spec.reasoning) params.push('reasoning', 'include_reasoning');
  params.push('stop', 'frequency_penalty', 'presence_penalty', 'seed');
  if (spec.jsonMode !== false) params.push('response_format');
  if (spec.jsonMode !== false && spec.structured !== false) params.push('structured_outputs');
  return params;
}

/** Prices as a 2025-era listing shows them; routers only carry the "-1" pair. */
function pricing(spec: ModelSpec): FakeModel['pricing'] {
  if (spec.prompt === '-1') return { prompt: '-1', completion: '-1' };
  return { prompt: spec.prompt, completion: spec.completion, request: '0', image: '0', web_search: '0', internal_reasoning: '0' };
}

/** Expands a spec into the model object served by `GET /models`. */
export function buildModel(spec: ModelSpec): FakeModel {
  const inputs = spec.inputs ?? ['text'];
  const outputs = spec.outputs ?? ['text'];
  const canonical = spec.canonical ?? spec.id.replace(/:free$/, '');
  const model: FakeModel = {
    id: spec.id,
    canonical_slug: canonical,
    hugging_face_id: spec.huggingFace ?? '',
    name: spec.name,
    created: spec.created,
    description: spec.description,
    context_length: spec.context,
    architecture: {
      modality: `${inputs.join('+')}->${outputs.join('+')}`,
      input_modalities: inputs,
      output_modalities: outputs,
      tokenizer: spec.tokenizer,
      instruct_type: spec.instructType ?? null,
    },
    pricing: pricing(spec),
    top_provider: {
      context_length: spec.topContext ?? spec.context,
      max_completion_tokens: spec.maxOutput ?? null,
      is_moderated: spec.moderated ?? false,
    },
    per_request_limits: null,
    supported_parameters: supportedParameters(spec),
    default_parameters: {},
    knowledge_cutoff: null,
    expiration_date: spec.expires ?? null,
    links: { details: `/api/v1/models/${canonical}/endpoints` },
  };
  if (spec.reasoning) {
    model.reasoning = {
      supported_efforts: ['high', 'medium', 'low'],
      default_effort: 'medium',
      default_enabled: true,
      mandatory: spec.reasoning === 'mandatory',
    };
  }
  return model;
}
