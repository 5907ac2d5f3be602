import { accept, objectOf, optional } from '../field-validators.ts';
import type { Validator } from '../field-validators.ts';
import type { OllamaOptions } from './types.ts';

// Options use Ollama's own wording: `option "num_predict" must be of type integer`.
const ofTypeNumber = optional(accept(
  (v): v is number => typeof v === 'number' && Number.isFinite(v),
  'of type number',
));
const ofTypeInteger = optional(accept((v): v is number => Number.isInteger(v), 'of type integer'));
// Ollama's `stop` is a string array; a lone string is common enough in clients to accept as well.
const ofTypeStop = optional(accept(
  (v): v is string | string[] => typeof v === 'string' || (Array.isArray(v) && v.every((s) => typeof s === 'string')),
  'of type string or array of strings',
));

/**
 * The `options` object: only the sampling options an OpenAI-style upstream can honour are kept.
 * Runner-only keys (num_ctx, num_gpu, …) and obsolete ones (mirostat, tfs_z, …) are dropped
 * unchecked, as Ollama ignores unknown keys.
 */
export const ollamaOptions: Validator<OllamaOptions> = objectOf(
  {
    temperature: ofTypeNumber,
    top_p: ofTypeNumber,
    top_k: ofTypeInteger,
    min_p: ofTypeNumber,
    num_predict: ofTypeInteger,
    stop: ofTypeStop,
    seed: ofTypeInteger,
    repeat_penalty: ofTypeNumber,
    presence_penalty: ofTypeNumber,
    frequency_penalty: ofTypeNumber,
  },
  (_where, key) => `option ${JSON.stringify(key)}`,
);
