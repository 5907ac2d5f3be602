// Context-aware routing: which models can hold a prompt, the answer when none can, and what an
// upstream context overflow teaches about the prompt's size.
import type { CatalogModel } from '../catalog/model-info.ts';
import type { TokenEstimate } from '../chat/estimate-tokens.ts';
import { HttpError, type UpstreamError } from '../errors.ts';

/**
 * False only when a model clearly cannot hold the prompt: even the low end of the estimate fills its
 * context. The estimate is trusted no further than that (see chat/estimate-tokens.ts); a prompt that
 * turns out larger than estimated gets the upstream's context error, and the next, larger model.
 */
export function canHold(model: CatalogModel, estimate: TokenEstimate | undefined, needed = 0): boolean {
  if (model.contextLength <= 0) return true;
  return model.contextLength >= needed && (estimate === undefined || estimate.atLeast < model.contextLength);
}

/**
 * The 400 for a prompt that no model able to serve the request can hold; nothing was sent upstream.
 * It opens as Anthropic's own does ("prompt is too long: N tokens > M maximum"), which Claude Code
 * reads as its cue to compact the conversation.
 */
export function promptTooLarge(estimate: TokenEstimate, models: readonly CatalogModel[]): HttpError {
  const largest = models.reduce<CatalogModel | undefined>((best, model) => (best === undefined || model.contextLength > best.contextLength ? model : best), undefined);
  const context = largest?.contextLength ?? 0;
  return new HttpError(400, `prompt is too long: ${estimate.tokens} tokens > ${context} maximum (an estimate, at least ${estimate.atLeast} tokens; ` +
    `the largest context among the ${models.length} free models that could serve this request is ${largest?.id ?? 'unknown'}'s); nothing was sent upstream`);
}

// A request too long for this model's window is "this model cannot serve it", not a malformed request.
const CONTEXT_OVERFLOW = /maximum context length|context length (is|of)|context_length_exceeded|too many tokens|prompt is too long/i;
// OpenRouter names the endpoint's context and the prompt's real size: "This endpoint's maximum context
// length is N tokens. However, you requested about M tokens (X of text input, Y in the output)".
const MAXIMUM = /maximum context length is (\d+)/i;
const REQUESTED = /you requested about \d+ tokens \((\d+) of text input/i;

/** True for an upstream 400 saying the prompt does not fit the model's context. */
export function isContextOverflow(error: UpstreamError): boolean {
  return error.status === 400 && CONTEXT_OVERFLOW.test(error.message);
}

/**
 * After a context overflow on `model`, the context the next model needs: more than the text input
 * OpenRouter counted, when it says; else more than the context the error names (the endpoint that
 * served may be smaller than the catalog says), or than this model's.
 */
export function contextNeededAfter(error: UpstreamError, model: CatalogModel): number {
  const input = REQUESTED.exec(error.message)?.[1] ?? MAXIMUM.exec(error.message)?.[1];
  return input !== undefined ? Number(input) + 1 : model.contextLength + 1;
}
