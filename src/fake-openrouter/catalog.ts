// The built-in model catalog and the `GET /models` query filters.
import { buildModel } from './model-builder.ts';
import type { FakeModel } from './types.ts';

const FREE_UNTIL = '2026-12-31';

/**
 * A realistic 16-model catalog: free variants, paid twins, a $0 stealth model, a router, an embedder.
 * As on OpenRouter, not every free endpoint takes a JSON schema (`structured_outputs`): Llama 3.3,
 * DeepSeek R1 and the 7B models answer such a request in prose, and Other's 7B has no JSON mode at all.
 */
export function defaultCatalog(): FakeModel[] {
  return [
    // top_provider serves less context than the model card claims, as free endpoints often do.
    buildModel({ id: 'meta-llama/llama-3.3-70b-instruct:free', name: 'Meta: Llama 3.3 70B Instruct (free)', created: 1733506137,
      description: 'Multilingual 70B instruction-tuned model (free variant).', context: 131072, topContext: 65536, maxOutput: 8192,
      prompt: '0', completion: '0', tokenizer: 'Llama3', instructType: 'llama3', tools: true, structured: false, expires: FREE_UNTIL,
      huggingFace: 'meta-llama/Llama-3.3-70B-Instruct' }),
    buildModel({ id: 'google/gemini-2.0-flash-exp:free', name: 'Google: Gemini 2.0 Flash Experimental (free)', created: 1733937523,
      description: 'Fast multimodal Gemini model with a 1M token window.', context: 1048576, maxOutput: 8192,
      prompt: '0', completion: '0', tokenizer: 'Gemini', inputs: ['text', 'image'], tools: true, expires: FREE_UNTIL }),
    buildModel({ id: 'deepseek/deepseek-r1:free', name: 'DeepSeek: R1 (free)', created: 1737381095,
      description: 'Open reasoning model; no tool calling on free endpoints.', context: 163840,
      prompt: '0', completion: '0', tokenizer: 'DeepSeek', instructType: 'deepseek-r1', reasoning: 'mandatory', structured: false,
      expires: FREE_UNTIL, huggingFace: 'deepseek-ai/DeepSeek-R1' }),
    buildModel({ id: 'mistralai/mistral-small-3.1-24b-instruct:free', name: 'Mistral: Mistral Small 3.1 24B (free)', created: 1742238937,
      description: 'Small multimodal Mistral model with tool use.', context: 128000, maxOutput: 4096,
      prompt: '0', completion: '0', tokenizer: 'Mistral', inputs: ['text', 'image'], tools: true, expires: FREE_UNTIL,
      huggingFace: 'mistralai/Mistral-Small-3.1-24B-Instruct-2503' }),
    buildModel({ id: 'qwen/qwen3-coder:free', name: 'Qwen: Qwen3 Coder 480B A35B (free)', created: 1753230546,
      description: 'Agentic coding MoE model.', context: 262144, prompt: '0', completion: '0', tokenizer: 'Qwen3',
      tools: true, expires: FREE_UNTIL, huggingFace: 'Qwen/Qwen3-Coder-480B-A35B-Instruct' }),
    buildModel({ id: 'openai/gpt-oss-20b:free', name: 'OpenAI: gpt-oss-20b (free)', created: 1754414229,
      description: 'Open-weight 21B MoE reasoning model.', context: 131072, maxOutput: 131072,
      prompt: '0', completion: '0', tokenizer: 'GPT', tools: true, reasoning: true, expires: FREE_UNTIL,
      huggingFace: 'openai/gpt-oss-20b' }),
    // Zero-priced but without the :free suffix, like the stealth "alpha" models.
    buildModel({ id: 'openrouter/quasar-alpha', name: 'Quasar Alpha', created: 1743626809,
      description: 'Cloaked prerelease model, free while in alpha.', context: 1000000, maxOutput: 32000,
      prompt: '0', completion: '0', tokenizer: 'Other', tools: true }),
    buildModel({ id: 'openai/gpt-4o', name: 'OpenAI: GPT-4o', created: 1715367049,
      description: 'OpenAI flagship multimodal model.', context: 128000, maxOutput: 16384, moderated: true,
      prompt: '0.0000025', completion: '0.00001', tokenizer: 'GPT', inputs: ['text', 'image', 'file'], tools: true }),
    buildModel({ id: 'anthropic/claude-sonnet-4', name: 'Anthropic: Claude Sonnet 4', created: 1747930371,
      description: 'Hybrid reasoning model from Anthropic.', context: 200000, maxOutput: 64000,
      prompt: '0.000003', completion: '0.000015', tokenizer: 'Claude', inputs: ['image', 'text', 'file'],
      tools: true, reasoning: true }),
    buildModel({ id: 'meta-llama/llama-3.3-70b-instruct', name: 'Meta: Llama 3.3 70B Instruct', created: 1733506137,
      description: 'Multilingual 70B instruction-tuned model.', context: 131072, maxOutput: 16384,
      prompt: '0.00000013', completion: '0.00000039', tokenizer: 'Llama3', instructType: 'llama3', tools: true,
      huggingFace: 'meta-llama/Llama-3.3-70B-Instruct' }),
    buildModel({ id: 'meta-llama/llama-guard-4-12b', name: 'Meta: Llama Guard 4 12B', created: 1745975193,
      description: 'Safety classifier; no tool calling.', context: 163840, prompt: '0.00000005', completion: '0.00000005',
      tokenizer: 'Other', inputs: ['image', 'text'] }),
    buildModel({ id: 'openrouter/auto', name: 'Auto Router', created: 1699401600,
      description: 'Routes each prompt to a suitable model.', context: 2000000,
      prompt: '-1', completion: '-1', tokenizer: 'Router', inputs: ['text', 'image'], tools: true }),
    buildModel({ id: 'openai/text-embedding-3-small', name: 'OpenAI: Text Embedding 3 Small', created: 1705953600,
      description: 'Small embedding model.', context: 8192, prompt: '0.00000002', completion: '0',
      tokenizer: 'GPT', outputs: ['embeddings'] }),
    // OpenRouter lists free embedding models too; this one keeps embeddings working in free mode.
    buildModel({ id: 'nvidia/llama-nemotron-embed-vl-1b-v2:free', name: 'NVIDIA: Llama Nemotron Embed VL 1B V2 (free)', created: 1760000000,
      description: 'Free multimodal embedding model.', context: 8192, prompt: '0', completion: '0',
      tokenizer: 'Llama3', outputs: ['embeddings'], expires: FREE_UNTIL }),
    // Two vendors, one short slug: exercises name-collision handling in clients.
    buildModel({ id: 'acme/chat-7b:free', name: 'Acme: Chat 7B (free)', created: 1750000000,
      description: 'Small chat model from Acme.', context: 8192, prompt: '0', completion: '0', tokenizer: 'Llama3',
      tools: true, structured: false, expires: FREE_UNTIL }),
    buildModel({ id: 'other/chat-7b:free', name: 'Other: Chat 7B (free)', created: 1750000001,
      description: 'Small chat model from Other.', context: 4096, prompt: '0', completion: '0', tokenizer: 'Mistral',
      jsonMode: false, expires: FREE_UNTIL }),
  ];
}

/** True for models whose price is variable ("-1"), i.e. routers like openrouter/auto. */
export function isRouter(model: FakeModel): boolean {
  return model.pricing.prompt === '-1';
}

/** True for models served by `/embeddings` rather than `/chat/completions`. */
export function isEmbeddingModel(model: FakeModel): boolean {
  return model.architecture.output_modalities.includes('embeddings');
}

function commaList(value: string | null): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/** Applies the `/models` filters the fake honours: output_modalities (default text), supported_parameters. */
export function filterModels(models: FakeModel[], query: URLSearchParams): FakeModel[] {
  const outputs = commaList(query.get('output_modalities'));
  const wanted = outputs.length === 0 ? ['text'] : outputs;
  const params = commaList(query.get('supported_parameters'));
  return models.filter((m) =>
    (wanted.includes('all') || m.architecture.output_modalities.some((o) => wanted.includes(o))) &&
    params.every((p) => m.supported_parameters.includes(p)));
}

/** Builds the `GET /models` body, paginating only when `offset` or `limit` is given. */
export function listModels(models: FakeModel[], query: URLSearchParams): unknown {
  const all = filterModels(models, query);
  if (!query.has('offset') && !query.has('limit')) return { data: all, total_count: all.length, links: { next: null } };
  const offset = Math.max(0, Number(query.get('offset') ?? 0) || 0);
  const limit = Math.min(1000, Math.max(1, Number(query.get('limit') ?? 500) || 500));
  const next = offset + limit < all.length ? `/api/v1/models?offset=${offset + limit}&limit=${limit}` : null;
  return { data: all.slice(offset, offset + limit), total_count: all.length, links: { next } };
}
