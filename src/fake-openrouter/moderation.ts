// OpenRouter's 403 moderation refusal: models with `top_provider.is_moderated` screen the input first.
import { errorReply } from './errors.ts';
import type { ErrorReply } from './errors.ts';
import type { Fault, FakeModel } from './types.ts';
import { providerName } from './wire.ts';

const FLAGGED_MAX = 100;

/** Cuts a text to at most 100 characters by dropping its middle, as `metadata.flagged_input` does. */
export function middleTruncate(text: string, max: number = FLAGGED_MAX): string {
  if (text.length <= max) return text;
  const keep = max - 3;
  const head = Math.ceil(keep / 2);
  return `${text.slice(0, head)}...${text.slice(text.length - (keep - head))}`;
}

/**
 * The 403 for flagged input, e.g. `openai/gpt-4o requires moderation on OpenRouter. Your input was flagged
 * for "violence".`; a fault naming a provider says "on <provider>" as the Azure/Bedrock variants do.
 */
export function moderationReply(
  fault: Extract<Fault, { kind: 'moderation' }>,
  modelId: string,
  model: FakeModel | undefined,
  inputText: string,
): ErrorReply {
  const reasons = fault.reasons ?? ['violence'];
  const where = fault.providerName ?? 'OpenRouter';
  const flagged = reasons.map((r) => `"${r}"`).join(', ');
  return errorReply(403, `${modelId} requires moderation on ${where}. Your input was flagged for ${flagged}.`, {
    reasons,
    flagged_input: middleTruncate(fault.flaggedInput ?? inputText),
    provider_name: fault.providerName ?? (model === undefined ? 'OpenAI' : providerName(model)),
    model_slug: modelId,
  });
}
