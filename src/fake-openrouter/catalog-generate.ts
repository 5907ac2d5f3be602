// A deterministic synthetic catalog of any size, for benchmarks over hundreds of models.
import { buildModel } from './model-builder.ts';
import type { FakeModel } from './types.ts';

const VENDORS = [
  ['meta-llama', 'Meta', 'Llama3'],
  ['mistralai', 'Mistral', 'Mistral'],
  ['qwen', 'Qwen', 'Qwen3'],
  ['google', 'Google', 'Gemini'],
  ['deepseek', 'DeepSeek', 'DeepSeek'],
  ['openai', 'OpenAI', 'GPT'],
  ['nousresearch', 'Nous', 'Llama3'],
  ['microsoft', 'Microsoft', 'Other'],
] as const;
const FAMILIES = ['chat', 'instruct', 'coder', 'vision', 'reasoner', 'mini', 'turbo', 'nano'] as const;
const SIZES = ['1b', '3b', '7b', '8b', '14b', '24b', '32b', '70b', '120b', '405b'] as const;
const CONTEXTS = [4096, 8192, 16384, 32768, 65536, 131072, 163840, 200000, 262144, 1048576] as const;

/** mulberry32: a tiny seeded PRNG so the same (count, seed) always yields the same catalog. */
function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)] as T;
}

/** Produces `count` distinct models: about 40% `:free`, varied context, tools, vision and reasoning. */
export function generateCatalog(count: number, seed: number): FakeModel[] {
  const random = createRandom(seed);
  const models: FakeModel[] = [];
  for (let i = 0; i < count; i++) {
    const [vendor, vendorName, tokenizer] = pick(VENDORS, random);
    const family = pick(FAMILIES, random);
    const size = pick(SIZES, random);
    const free = random() < 0.4;
    const context = pick(CONTEXTS, random);
    const slug = `${family}-${size}-${String(i).padStart(3, '0')}`;
    const title = `${family[0]?.toUpperCase()}${family.slice(1)} ${size.toUpperCase()} #${i}`;
    const price = (0.0000001 * (1 + Math.floor(random() * 50))).toFixed(8);
    models.push(buildModel({
      id: `${vendor}/${slug}${free ? ':free' : ''}`,
      name: `${vendorName}: ${title}${free ? ' (free)' : ''}`,
      created: 1700000000 + i * 86400,
      description: `Synthetic ${family} model ${i} for benchmarks.`,
      context,
      topContext: random() < 0.15 ? Math.floor(context / 2) : context,
      prompt: free ? '0' : price,
      completion: free ? '0' : (Number(price) * 3).toFixed(8),
      tokenizer,
      inputs: family === 'vision' || random() < 0.2 ? ['text', 'image'] : ['text'],
      tools: random() < 0.65,
      reasoning: family === 'reasoner' || random() < 0.15,
      expires: free ? '2026-12-31' : null,
    }));
  }
  return models;
}
