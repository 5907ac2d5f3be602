import type { Usage } from '../../chat/wire.ts';
import type { OutputItem, OutputText, ResponseContext, ResponseError, ResponseStatus, ResponsesUsage } from './types.ts';

// Builders shared by the stream stage and the non-stream object, so both describe an item the same way.

/** An `output_text` content part. */
export function outputText(text: string): OutputText {
  return { type: 'output_text', text, annotations: [] };
}

/** The assistant `message` item holding `text`. */
export function messageItem(id: string, text: string, status: 'in_progress' | 'completed'): OutputItem {
  return { type: 'message', id, status, role: 'assistant', content: status === 'in_progress' ? [] : [outputText(text)] };
}

/** A `reasoning` item whose summary is the model's reasoning text (OpenRouter has no separate summary). */
export function reasoningItem(id: string, text: string | undefined): OutputItem {
  return { type: 'reasoning', id, summary: text === undefined ? [] : [{ type: 'summary_text', text }] };
}

/**
 * A tool call item: `function_call`, or `custom_tool_call` for a freeform tool, under the client's
 * own name and namespace. Upstream a custom tool is a function taking `{"input": string}`, so its raw
 * input is unwrapped from the arguments here. A name the client never declared passes as it is.
 */
export function toolCallItem(
  context: ResponseContext,
  call: { id: string; callId: string; name: string; arguments: string },
  status: 'in_progress' | 'completed',
): OutputItem {
  const target = context.toolTargets.get(call.name);
  const named = { id: call.id, status, call_id: call.callId, name: target?.name ?? call.name, ...(target?.namespace !== undefined ? { namespace: target.namespace } : {}) };
  if (target?.kind !== 'custom') return { type: 'function_call', ...named, arguments: call.arguments };
  return { type: 'custom_tool_call', ...named, input: status === 'completed' ? customInput(call.arguments) : '' };
}

/** True when an upstream tool call stands for a freeform tool, whose input cannot be streamed as it arrives. */
export function isCustomTool(context: ResponseContext, upstreamName: string): boolean {
  return context.toolTargets.get(upstreamName)?.kind === 'custom';
}

/** The item-id prefix for a tool call to `name`. */
export function toolCallIdPrefix(context: ResponseContext, name: string): string {
  return isCustomTool(context, name) ? 'ctc' : 'fc';
}

// A model that ignored the wrapper (and wrote the raw input, or other JSON) still gets its text through.
function customInput(argumentsJson: string): string {
  try {
    const parsed = JSON.parse(argumentsJson) as unknown;
    if (typeof parsed === 'object' && parsed !== null && typeof (parsed as { input?: unknown }).input === 'string') return (parsed as { input: string }).input;
  } catch {
    // not JSON: the raw text is the input
  }
  return argumentsJson;
}

/** OpenRouter usage in the Responses shape (Codex requires input, output and total tokens). */
export function toResponsesUsage(usage: Usage | undefined): ResponsesUsage | null {
  if (usage === undefined) return null;
  const details = usage as { prompt_tokens_details?: { cached_tokens?: number }; completion_tokens_details?: { reasoning_tokens?: number } };
  const input = usage.prompt_tokens ?? 0;
  const output = usage.completion_tokens ?? 0;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: details.prompt_tokens_details?.cached_tokens ?? 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: details.completion_tokens_details?.reasoning_tokens ?? 0 },
    total_tokens: usage.total_tokens ?? input + output,
  };
}

/** How an upstream finish reason ends the response: complete, or incomplete with OpenAI's reason. */
export function toFinalStatus(finishReason: string | null | undefined): { status: ResponseStatus; incomplete_details: { reason: string } | null } {
  if (finishReason === 'length') return { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } };
  if (finishReason === 'content_filter') return { status: 'incomplete', incomplete_details: { reason: 'content_filter' } };
  return { status: 'completed', incomplete_details: null };
}

/** The `response` object: the same envelope in every stream event and in the non-stream answer. */
export function responseObject(
  context: ResponseContext,
  state: {
    status: ResponseStatus;
    output: OutputItem[];
    usage?: ResponsesUsage | null;
    error?: ResponseError | null;
    incomplete_details?: { reason: string } | null;
  },
) {
  return {
    id: context.id,
    object: 'response',
    created_at: context.createdAt,
    status: state.status,
    error: state.error ?? null,
    incomplete_details: state.incomplete_details ?? null,
    model: context.model,
    output: state.output,
    previous_response_id: null,
    usage: state.usage ?? null,
    ...context.echo,
  };
}
