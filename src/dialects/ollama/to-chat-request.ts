import type { ChatMessage, ChatRequest, ChatTool, ReasoningConfig, ResponseFormat } from '../../chat/wire.ts';
import type { OllamaChatRequest, OllamaGenerateRequest, OllamaOptions, OllamaThink } from './types.ts';
import { toFillInTheMiddlePrompt } from '../fill-in-the-middle.ts';
import { toOpenAIMessages, toOpenAIUserContent } from './to-chat-messages.ts';

type SharedFields = Pick<OllamaChatRequest, 'format' | 'options' | 'think'>;

// JSON.stringify would drop `undefined` keys anyway, but callers that spread or deep-compare the
// request would still see them, so none are ever emitted.
function withoutUndefined<T extends Record<string, unknown>>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T;
}

/** OpenRouter's `reasoning` for Ollama's `think`. */
function toReasoning(think: OllamaThink | undefined): ReasoningConfig | undefined {
  if (think === undefined) return undefined;
  // OpenRouter's documented switch is `enabled`; `effort: "none"` is only one of the effort levels.
  if (typeof think === 'boolean') return { enabled: think };
  return { effort: think };
}

function toResponseFormat(format: SharedFields['format']): ResponseFormat | undefined {
  if (format === 'json') return { type: 'json_object' };
  if (format === undefined || format === '') return undefined;
  // No `strict`: OpenAI's strict mode rejects schemas without `additionalProperties: false` and a full
  // `required` list, which typical Ollama schemas (Ollama's own docs' included) do not have.
  return { type: 'json_schema', json_schema: { name: 'response', schema: format } };
}

function toSamplingFields(options: OllamaOptions | undefined): Partial<ChatRequest> {
  if (!options) return {};
  const { num_predict: numPredict, stop, seed } = options;
  return {
    temperature: options.temperature,
    top_p: options.top_p,
    top_k: options.top_k,
    min_p: options.min_p,
    // Ollama's num_predict -1 (unlimited), -2 (fill the context) and 0 all mean "no limit".
    max_tokens: numPredict !== undefined && numPredict > 0 ? numPredict : undefined,
    // Ollama's seed -1 means "random", which upstreams would read as a fixed seed.
    seed: seed !== undefined && seed >= 0 ? seed : undefined,
    repetition_penalty: options.repeat_penalty,
    presence_penalty: options.presence_penalty,
    frequency_penalty: options.frequency_penalty,
    stop: stop === undefined || stop.length === 0 ? undefined : typeof stop === 'string' ? [stop] : stop,
  };
}

function toChatRequest(
  shared: SharedFields,
  messages: ChatMessage[],
  upstreamModel: string,
  stream: boolean,
  tools?: ChatTool[],
): ChatRequest {
  return withoutUndefined({
    model: upstreamModel,
    messages,
    stream,
    // Usage is always sent by OpenRouter (this is a documented no-op there), but other
    // OpenAI-compatible upstreams only report usage in a stream when asked.
    stream_options: stream ? { include_usage: true } : undefined,
    tools: tools && tools.length > 0 ? tools : undefined,
    reasoning: toReasoning(shared.think),
    response_format: toResponseFormat(shared.format),
    ...toSamplingFields(shared.options),
  });
}

// Ollama tools are already OpenAI-shaped; some clients leave out `type`.
function toOpenAITools(tools: unknown[] | undefined): ChatTool[] | undefined {
  return tools?.map((tool) => {
    const record = tool as Record<string, unknown>;
    return { ...record, type: typeof record.type === 'string' ? record.type : 'function' } as ChatTool;
  });
}

/** The OpenRouter chat request for a validated Ollama /api/chat request. */
export function toOpenAIChatRequest(request: OllamaChatRequest, upstreamModel: string, stream: boolean): ChatRequest {
  return toChatRequest(request, toOpenAIMessages(request.messages), upstreamModel, stream, toOpenAITools(request.tools));
}

/** The OpenRouter chat request for a validated Ollama /api/generate request (a one-turn chat). */
export function toOpenAIChatRequestFromGenerate(
  request: OllamaGenerateRequest,
  upstreamModel: string,
  stream: boolean,
): ChatRequest {
  const prompt = request.prompt ?? '';
  // Raw mode and a suffix can come together (Continue's autocomplete sends both), so the suffix wins.
  const text = request.suffix ? toFillInTheMiddlePrompt(prompt, request.suffix) : prompt;
  const messages: ChatMessage[] = [];
  // Raw mode means "no template", and the system prompt is part of the template.
  if (!request.raw && request.system) messages.push({ role: 'system', content: request.system });
  messages.push({ role: 'user', content: toOpenAIUserContent(text, request.images) });
  return toChatRequest(request, messages, upstreamModel, stream);
}
