// OpenRouter's context-length check: a prompt plus the requested output that is larger than the
// endpoint's context is refused with a 400 before any provider runs.
import { errorReply } from './errors.ts';
import type { ErrorReply } from './errors.ts';
import { messageText, requestTools } from './request.ts';
import type { ChatRequest } from './request.ts';
import type { FakeModel } from './types.ts';

// The fake has no tokenizer: it counts one token per 3 characters of message text, tool-call
// arguments and tool definitions, about what real tokenizers make of code and JSON. It is deliberately
// not the proxy's own estimate (4 characters a token), so an estimate that is off can be played.
const CHARS_PER_TOKEN = 3;
// OpenRouter compresses prompts for endpoints this small ("middle-out") instead of refusing them.
const COMPRESSED_UP_TO = 8192;

/** The text input tokens of a request, as the fake counts them. */
export function promptTokensOf(request: ChatRequest): number {
  let chars = 0;
  for (const message of request.messages) {
    chars += messageText(message.content).length;
    const calls = (message as { tool_calls?: Array<{ function?: { name?: string; arguments?: string } }> }).tool_calls;
    for (const call of Array.isArray(calls) ? calls : []) chars += (call.function?.name ?? '').length + (call.function?.arguments ?? '').length;
  }
  for (const tool of requestTools(request)) chars += JSON.stringify(tool.function ?? {}).length;
  return Math.ceil(chars / CHARS_PER_TOKEN);
}

/** The endpoint's context window: the top provider's, else the model card's. */
export function endpointContext(model: FakeModel): number {
  return model.top_provider.context_length ?? model.context_length ?? 0;
}

/** OpenRouter's 400 when the prompt and `max_tokens` do not fit the endpoint's context, else undefined. */
export function contextOverflowReply(request: ChatRequest, model: FakeModel): ErrorReply | undefined {
  const context = endpointContext(model);
  if (context <= COMPRESSED_UP_TO) return undefined;
  const input = promptTokensOf(request);
  const limit = request.max_tokens ?? request.max_completion_tokens;
  const output = typeof limit === 'number' && limit > 0 ? limit : 0;
  if (input + output <= context) return undefined;
  return errorReply(400,
    `This endpoint's maximum context length is ${context} tokens. However, you requested about ${input + output} tokens (${input} of text input, ${output} in the output). ` +
    'Please reduce the length of either one, or use the "middle-out" transform to compress your prompt automatically.',
    { error_type: 'context_length_exceeded' });
}
