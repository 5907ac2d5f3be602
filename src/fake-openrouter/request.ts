// The chat request fields the fake reads, and small readers over message content.

export interface ChatMessage {
  role: string;
  content?: unknown;
}

export interface ChatTool {
  type?: string;
  function?: { name?: string; parameters?: { properties?: Record<string, { type?: string | string[] }> } };
}

// Only the fields the fake acts on; everything else (provider, plugins, usage...) is accepted and ignored.
export interface ChatRequest {
  model?: string;
  models?: string[];
  messages: ChatMessage[];
  stream?: boolean;
  tools?: ChatTool[];
  reasoning?: { effort?: string; enabled?: boolean; exclude?: boolean };
  include_reasoning?: boolean;
  reasoning_effort?: string;
  response_format?: { type?: string; json_schema?: { schema?: { properties?: Record<string, { type?: string | string[] }> } } };
  max_tokens?: number;
  max_completion_tokens?: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks the minimum shape of a chat body; returns an error message when it is unusable. */
export function parseChatRequest(body: unknown): ChatRequest | string {
  if (!isRecord(body)) return 'Invalid request parameters';
  const messages = body['messages'];
  if (!Array.isArray(messages) || messages.length === 0) return 'Input required: specify "messages"';
  if (!messages.every((m) => isRecord(m) && typeof m['role'] === 'string')) return 'Invalid request parameters';
  return body as unknown as ChatRequest;
}

/** The requested model id: `model`, else the first of the `models` fallback list. */
export function requestedModelId(request: ChatRequest): string {
  if (typeof request.model === 'string') return request.model;
  const first = Array.isArray(request.models) ? request.models[0] : undefined;
  return typeof first === 'string' ? first : '';
}

/** Text of a message: string content, or its text parts joined with newlines. */
export function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter((part): part is { text: string } => isRecord(part) && typeof part['text'] === 'string')
    .map((part) => part.text)
    .join('\n');
}

/** Text of the last `user` message (all its text parts), or '' when there is none. */
export function lastUserText(messages: ChatMessage[]): string {
  const lastUser = messages.findLast((m) => m.role === 'user');
  return lastUser === undefined ? '' : messageText(lastUser.content);
}

/** True when any message carries an image part (OpenAI `image_url` shape). */
export function hasImageParts(messages: ChatMessage[]): boolean {
  return messages.some((m) => Array.isArray(m.content) &&
    m.content.some((part) => isRecord(part) && (part['type'] === 'image_url' || part['type'] === 'image')));
}

/** Whitespace-separated words of a text. */
export function countWords(text: string): number {
  const trimmed = text.trim();
  return trimmed === '' ? 0 : trimmed.split(/\s+/).length;
}

/** The tools of a request, or an empty list when `tools` is absent or malformed. */
export function requestTools(request: ChatRequest): ChatTool[] {
  return Array.isArray(request.tools) ? request.tools.filter(isRecord) : [];
}
