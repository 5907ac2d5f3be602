// OpenRouter's chat wire format: ids, provider labels, usage, SSE chunks and non-stream bodies.
import { createHash, randomUUID } from 'node:crypto';
import type { FinishReason, Piece, ReplyPlan } from './replies.ts';
import type { FakeModel } from './types.ts';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export interface IdSource {
  next(length: number): string;
}

/** An id sequence derived from a salt and a counter; a random salt keeps ids unique across fakes and resets. */
export function createIdSource(salt: string = randomUUID()): IdSource {
  let counter = 0;
  return {
    next(length) {
      const bytes = createHash('sha256').update(`${salt}:${counter++}`).digest();
      let out = '';
      for (let i = 0; i < length; i++) out += ALNUM[(bytes[i % bytes.length] ?? 0) % ALNUM.length];
      return out;
    },
  };
}

/** The fields every chunk of one generation repeats. */
export interface Frame {
  id: string;
  provider: string;
  model: string;
  created: number;
  systemFingerprint: string | null;
}

const PROVIDERS: Record<string, string> = {
  openai: 'OpenAI', anthropic: 'Anthropic', google: 'Google AI Studio', 'meta-llama': 'DeepInfra',
  deepseek: 'Chutes', mistralai: 'Mistral', qwen: 'Chutes', openrouter: 'Stealth',
};

/** The upstream provider display name OpenRouter would report for a model. */
export function providerName(model: FakeModel): string {
  const vendor = model.id.split('/')[0] ?? '';
  return PROVIDERS[vendor] ?? (model.id.endsWith(':free') ? 'Chutes' : 'DeepInfra');
}

/** Builds the frame for a new generation served by `model`. */
export function createFrame(model: FakeModel, ids: IdSource, nowMs: number): Frame {
  const created = Math.floor(nowMs / 1000);
  const provider = providerName(model);
  const fingerprint = provider === 'OpenAI' ? `fp_${createHash('sha256').update(model.id).digest('hex').slice(0, 10)}` : null;
  return { id: `gen-${created}-${ids.next(20)}`, provider, model: model.id, created, systemFingerprint: fingerprint };
}

/** The provider's raw finish reason, e.g. Gemini's "STOP" even for tool calls. */
export function nativeFinishReason(provider: string, reason: FinishReason): string {
  if (provider === 'Google AI Studio') return reason === 'length' ? 'MAX_TOKENS' : 'STOP';
  if (provider === 'Anthropic') return { stop: 'end_turn', length: 'max_tokens', tool_calls: 'tool_use' }[reason];
  return reason;
}

function price(value: string | number | undefined): number {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : 0;
}

function usd(value: number): number {
  return Number(value.toPrecision(10));
}

/** OpenRouter's usage object with cost and the detail blocks. */
export function buildUsage(plan: ReplyPlan, model: FakeModel): Record<string, unknown> {
  const promptCost = usd(plan.promptTokens * price(model.pricing.prompt));
  const completionCost = usd(plan.completionTokens * price(model.pricing.completion));
  return {
    prompt_tokens: plan.promptTokens,
    completion_tokens: plan.completionTokens,
    total_tokens: plan.promptTokens + plan.completionTokens,
    cost: usd(promptCost + completionCost),
    is_byok: false,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0, video_tokens: 0 },
    cost_details: { upstream_inference_cost: null, upstream_inference_prompt_cost: promptCost, upstream_inference_completions_cost: completionCost },
    completion_tokens_details: { reasoning_tokens: plan.reasoningTokens, image_tokens: 0 },
  };
}

export interface ChunkEncoder {
  piece(piece: Piece): string;
  finish(reason: FinishReason, native: string): string;
  usage(usage: Record<string, unknown>, shape: 'empty-choices' | 'choice'): string;
}

/** Encodes SSE events for one generation; each event is one template string ending in "\n\n". */
export function createChunkEncoder(frame: Frame): ChunkEncoder {
  const q = JSON.stringify;
  const head = `data: {"id":${q(frame.id)},"provider":${q(frame.provider)},"model":${q(frame.model)},"object":"chat.completion.chunk","created":${frame.created},"choices":[`;
  const fingerprint = `"system_fingerprint":${q(frame.systemFingerprint)}`;
  const open = `${head}{"index":0,"delta":`;
  const tail = (reason: string, native: string) => `,"finish_reason":${reason},"native_finish_reason":${native},"logprobs":null}]`;
  const plainEnd = `${tail('null', 'null')},${fingerprint}}\n\n`;
  const emptyDelta = '{"role":"assistant","content":""}';
  return {
    piece(p) {
      if (p.kind === 'content') return `${open}{"role":"assistant","content":${q(p.text)}}${plainEnd}`;
      if (p.kind === 'reasoning') {
        const text = q(p.text);
        return `${open}{"role":"assistant","content":"","reasoning":${text},"reasoning_details":[{"type":"reasoning.text","text":${text},"format":"unknown","index":0}]}${plainEnd}`;
      }
      if (p.kind === 'tool-start') {
        return `${open}{"role":"assistant","content":null,"tool_calls":[{"index":${p.index},"id":${q(p.id)},"type":"function","function":{"name":${q(p.name)},"arguments":""}}]}${plainEnd}`;
      }
      return `${open}{"role":"assistant","content":null,"tool_calls":[{"index":${p.index},"function":{"arguments":${q(p.text)}},"type":"function"}]}${plainEnd}`;
    },
    finish(reason, native) {
      return `${open}${emptyDelta}${tail(q(reason), q(native))},${fingerprint}}\n\n`;
    },
    usage(usage, shape) {
      const choices = shape === 'empty-choices' ? `${head}]` : `${open}${emptyDelta}${tail('null', 'null')}`;
      return `${choices},${fingerprint},"usage":${q(usage)}}\n\n`;
    },
  };
}

/** The `chat.completion` body of a non-streamed reply. */
export function completionBody(frame: Frame, plan: ReplyPlan, usage: Record<string, unknown>): Record<string, unknown> {
  const message: Record<string, unknown> = { role: 'assistant', content: plan.content, refusal: null, reasoning: plan.reasoning };
  if (plan.reasoning !== null) {
    message['reasoning_details'] = [{ type: 'reasoning.text', text: plan.reasoning, format: 'unknown', index: 0 }];
  }
  if (plan.toolCalls.length > 0) {
    message['tool_calls'] = plan.toolCalls.map((call, index) => ({
      id: call.id, type: 'function', index, function: { name: call.name, arguments: call.arguments },
    }));
  }
  return {
    id: frame.id, provider: frame.provider, model: frame.model, object: 'chat.completion', created: frame.created,
    choices: [{
      logprobs: null, finish_reason: plan.finishReason,
      native_finish_reason: nativeFinishReason(frame.provider, plan.finishReason), index: 0, message,
    }],
    system_fingerprint: frame.systemFingerprint,
    usage,
  };
}
