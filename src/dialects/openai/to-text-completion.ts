import type { ChatChunk, ChatCompletion } from '../../chat/wire.ts';

/**
 * A relayed chat chunk (its exact JSON) as a legacy `/v1/completions` event (`object:
 * "text_completion"`, `choices[].text`); role-only chunks are skipped. Part of the relay: it reshapes
 * OpenRouter's chunks one for one, so it reads them, as the answer events cannot say where a chunk ended.
 */
export function toTextCompletionData(data: string): string | undefined {
  // `created` is not declared on chunks (it is unused elsewhere), but OpenRouter sends one per stream.
  const chunk = JSON.parse(data) as ChatChunk & { created?: number };
  const choice = chunk.choices?.[0];
  const text = choice?.delta?.content ?? '';
  if (text === '' && !choice?.finish_reason && chunk.usage === undefined) return undefined;
  return JSON.stringify({
    id: chunk.id,
    object: 'text_completion',
    created: chunk.created ?? Math.floor(Date.now() / 1000),
    model: chunk.model,
    choices: choice === undefined ? [] : [{ text, index: 0, finish_reason: choice.finish_reason ?? null, logprobs: null }],
    ...(chunk.usage ? { usage: chunk.usage } : {}),
  });
}

/** A non-streamed chat completion in the legacy `/v1/completions` shape. */
export function toTextCompletion(completion: ChatCompletion & { created?: number }) {
  const choice = completion.choices?.[0];
  return {
    id: completion.id,
    object: 'text_completion',
    created: completion.created ?? Math.floor(Date.now() / 1000),
    model: completion.model,
    choices: [{ text: choice?.message?.content ?? '', index: 0, finish_reason: choice?.finish_reason ?? null, logprobs: null }],
    usage: completion.usage,
  };
}
