// What one model is sent: the client's output ceiling made to fit that model, for every client API.
import type { CatalogModel } from '../catalog/model-info.ts';
import type { TokenEstimate } from '../chat/estimate-tokens.ts';
import type { ChatBody } from '../chat/wire.ts';

// `max_tokens` everywhere; `max_completion_tokens` is OpenAI's newer name, relayed as sent on /v1.
const CEILINGS = ['max_tokens', 'max_completion_tokens'] as const;

/**
 * The request for one model with its output ceilings fitted. Clients send a ceiling for the largest
 * model they know (Claude Code always asks for 128,000), and a provider refuses a request whose prompt
 * plus ceiling exceeds its context with a 400, which would stop nothing but waste an upstream request.
 * - A ceiling above the model's largest completion (`top_provider.max_completion_tokens`) is lowered to it.
 * - A ceiling that, with the prompt at the top of its estimate, would not fit the context is dropped:
 *   the provider's own limit applies, and the answer can still use whatever room the prompt leaves.
 * A request without a ceiling, or a model whose context is unknown (0), is left as it is.
 */
export function fitToModel<T extends ChatBody>(chat: T, model: CatalogModel, estimate: TokenEstimate | undefined): T {
  const fitted: ChatBody = { ...chat };
  let changed = false;
  for (const field of CEILINGS) {
    const asked = chat[field];
    if (typeof asked !== 'number') continue;
    const ceiling = model.maxCompletionTokens !== undefined ? Math.min(asked, model.maxCompletionTokens) : asked;
    const fits = model.contextLength <= 0 || estimate === undefined || estimate.atMost + ceiling <= model.contextLength;
    if (fits && ceiling === asked) continue;
    changed = true;
    if (fits) fitted[field] = ceiling;
    else delete fitted[field];
  }
  return changed ? (fitted as T) : chat;
}
