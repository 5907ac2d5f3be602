// Ollama's wire shapes, as clients send and expect them (see the reference's §1.5–1.8). Only the
// fields this proxy uses are declared; unknown fields are ignored, as Ollama does.

export interface OllamaToolCall {
  id?: string;
  type?: string;
  function: { index?: number; name: string; arguments: Record<string, unknown> };
}

export interface OllamaMessage {
  role: string;
  content?: string;
  thinking?: string;
  images?: string[];
  tool_calls?: OllamaToolCall[];
  tool_name?: string;
  tool_call_id?: string;
}

export type OllamaThink = boolean | 'low' | 'medium' | 'high' | 'max';

export interface OllamaOptions {
  temperature?: number;
  top_p?: number;
  top_k?: number;
  min_p?: number;
  num_predict?: number;
  stop?: string | string[];
  seed?: number;
  repeat_penalty?: number;
  presence_penalty?: number;
  frequency_penalty?: number;
  [runnerOnly: string]: unknown;
}

export interface OllamaChatRequest {
  model: string;
  messages: OllamaMessage[];
  tools?: unknown[];
  format?: 'json' | Record<string, unknown> | '';
  options?: OllamaOptions;
  stream?: boolean;
  keep_alive?: number | string;
  think?: OllamaThink;
}

export interface OllamaGenerateRequest {
  model: string;
  prompt?: string;
  suffix?: string;
  system?: string;
  raw?: boolean;
  images?: string[];
  format?: 'json' | Record<string, unknown> | '';
  options?: OllamaOptions;
  stream?: boolean;
  keep_alive?: number | string;
  think?: OllamaThink;
}

/** The metrics every final (`done: true`) object carries, in nanoseconds and tokens. */
export interface OllamaMetrics {
  total_duration: number;
  load_duration: number;
  prompt_eval_count: number;
  prompt_eval_duration: number;
  eval_count: number;
  eval_duration: number;
}

export type OllamaDoneReason = 'stop' | 'length' | 'load' | 'unload';
