// OpenAI Responses wire shapes: only the fields this dialect reads or writes. Requests are validated
// field by field in to-chat-request.ts, so these describe what survives validation.

/** The `text.format` of a request: free text, any JSON object, or JSON matching a schema. */
export type ResponsesTextFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name?: string; schema: unknown; strict?: boolean };

/** The request fields echoed back in every `response` object (OpenAI echoes them; SDKs read `text.format`). */
export interface ResponseEcho {
  instructions: string | null;
  tools: unknown[];
  tool_choice: unknown;
  parallel_tool_calls: boolean;
  temperature: number | null;
  top_p: number | null;
  max_output_tokens: number | null;
  reasoning: { effort?: string | null; summary?: string | null } | null;
  text: { format: ResponsesTextFormat };
  metadata: Record<string, unknown>;
  store: boolean;
}

/** What a stream or an object builder needs to know about the request it answers. */
export interface ResponseContext {
  id: string;
  /** The upstream model that answers (the same id X-Proxy-Model names). */
  model: string;
  /** Seconds since the epoch. */
  createdAt: number;
  echo: ResponseEcho;
  /** The client's tool behind each upstream function name (custom tools go back as `custom_tool_call`). */
  toolTargets: ReadonlyMap<string, ToolTarget>;
  /** Makes an id with the given prefix (`msg`, `fc`, `rs`, `ctc`); injected so tests are deterministic. */
  newId: (prefix: string) => string;
}

/** A client tool as declared: a function or freeform (`custom`) tool, maybe inside a namespace. */
export interface ToolTarget {
  kind: 'function' | 'custom';
  name: string;
  namespace?: string;
}

export interface OutputText {
  type: 'output_text';
  text: string;
  annotations: unknown[];
}

export interface SummaryText {
  type: 'summary_text';
  text: string;
}

export type OutputItem =
  | { type: 'message'; id: string; status: 'in_progress' | 'completed'; role: 'assistant'; content: OutputText[] }
  | { type: 'reasoning'; id: string; summary: SummaryText[] }
  | { type: 'function_call'; id: string; status: 'in_progress' | 'completed'; call_id: string; name: string; namespace?: string; arguments: string }
  | { type: 'custom_tool_call'; id: string; status: 'in_progress' | 'completed'; call_id: string; name: string; namespace?: string; input: string };

export interface ResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed';

/** The error inside a failed `response` object (and Codex's retry hint reads `code`). */
export interface ResponseError {
  code: string;
  message: string;
}
