// The internal chat request and stream: OpenAI's chat-completions wire shapes, which OpenRouter speaks
// and every dialect converts to and from. Only the fields this proxy reads or writes are declared;
// everything else is tolerated and, on /v1, passed through untouched. This module imports nothing.

export interface ChatMessageToolCall {
  id: string;
  type: 'function';
  index?: number;
  function: { name: string; arguments: string };
}

export type ChatContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string } };

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string | ChatContentPart[] | null;
  tool_calls?: ChatMessageToolCall[];
  tool_call_id?: string;
  name?: string;
  reasoning?: string;
}

export interface ChatTool {
  type: 'function';
  function: { name: string; description?: string; parameters?: unknown };
}

export interface ReasoningConfig {
  enabled?: boolean;
  effort?: 'max' | 'xhigh' | 'high' | 'medium' | 'low' | 'minimal' | 'none';
  exclude?: boolean;
}

export type ResponseFormat =
  | { type: 'json_object' }
  | { type: 'json_schema'; json_schema: { name: string; schema: unknown; strict?: boolean } };

/** The request body sent to `POST /chat/completions`. */
export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  stream?: boolean;
  tools?: ChatTool[];
  tool_choice?: unknown;
  reasoning?: ReasoningConfig;
  response_format?: ResponseFormat;
  temperature?: number;
  top_p?: number;
  top_k?: number;
  min_p?: number;
  max_tokens?: number;
  stop?: string | string[];
  seed?: number;
  repetition_penalty?: number;
  presence_penalty?: number;
  frequency_penalty?: number;
  stream_options?: { include_usage?: boolean };
  [extra: string]: unknown;
}

/** A chat request before routing picks its model (Omit would lose the named fields to ChatRequest's index signature). */
export type ChatBody = Partial<ChatRequest> & Pick<ChatRequest, 'messages'>;

export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
}

export interface Usage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
}

/** OpenRouter's in-band error; `code` is numeric in current docs, a string in older ones. */
export interface UpstreamErrorBody {
  code?: number | string;
  message?: string;
  metadata?: { raw?: unknown; provider_name?: string | null; headers?: Record<string, string>; limit_source?: string; [key: string]: unknown };
}

export interface ChatChunkChoice {
  index?: number;
  delta?: { role?: string; content?: string | null; reasoning?: string | null; tool_calls?: ToolCallDelta[] };
  finish_reason?: string | null;
  error?: UpstreamErrorBody;
}

/** One `data:` event of a streamed chat completion. */
export interface ChatChunk {
  id?: string;
  model?: string;
  choices?: ChatChunkChoice[];
  usage?: Usage;
  error?: UpstreamErrorBody;
}

/** A non-streamed chat completion. */
export interface ChatCompletion {
  id?: string;
  model?: string;
  choices?: Array<{
    index?: number;
    message?: { role?: string; content?: string | null; reasoning?: string | null; tool_calls?: ChatMessageToolCall[] };
    finish_reason?: string | null;
    error?: UpstreamErrorBody;
  }>;
  usage?: Usage;
  error?: UpstreamErrorBody;
}
