// OpenRouter's own wire shapes beyond chat (models, embeddings): only the fields this proxy reads or
// writes are declared. The chat shapes live in chat/wire.ts.
import type { UpstreamErrorBody, Usage } from '../chat/wire.ts';

export interface EmbeddingsRequest {
  model: string;
  input: string | string[];
  dimensions?: number;
  encoding_format?: 'float' | 'base64';
  [extra: string]: unknown;
}

export interface EmbeddingsResponse {
  model?: string;
  data?: Array<{ index?: number; embedding?: number[] | string }>;
  usage?: Usage;
  error?: UpstreamErrorBody;
}

/** An entry of `GET /models`. Prices are decimal strings; "-1" marks a router's variable price. */
export interface OpenRouterModel {
  id: string;
  name?: string;
  created?: number;
  description?: string;
  context_length?: number | null;
  architecture?: { modality?: string; input_modalities?: string[]; output_modalities?: string[]; tokenizer?: string };
  pricing?: { prompt?: string; completion?: string };
  top_provider?: { context_length?: number | null; max_completion_tokens?: number | null };
  supported_parameters?: string[];
  hugging_face_id?: string | null;
}

/** `GET /key`'s `data`: only the fields the proxy reads. */
export interface KeyInfo {
  /** True while the account has never bought credits: 50 free-model requests a day instead of 1000. */
  is_free_tier?: boolean;
  label?: string;
  usage?: number;
  limit?: number | null;
}
