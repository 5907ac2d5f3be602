import { badRequest, isPlainObject, reject } from '../field-validators.ts';
import type { ChatContentPart, ChatMessage } from '../../chat/wire.ts';
import { toUpstreamToolName } from './to-chat-tools.ts';
import { placeToolImages } from '../tool-images.ts';

const STATELESS = 'this server is stateless; send the whole input';
const ROLES: Record<string, ChatMessage['role']> = { user: 'user', assistant: 'assistant', system: 'system', developer: 'system' };
// Items that only mean something to OpenAI's own hosted tools or stored state: the model cannot use them.
const SKIPPED_ITEMS = new Set(['web_search_call', 'file_search_call', 'computer_call', 'computer_call_output', 'image_generation_call', 'code_interpreter_call', 'mcp_list_tools', 'mcp_call', 'mcp_approval_request', 'mcp_approval_response', 'compaction', 'compaction_summary', 'ghost_snapshot']);

function text(value: unknown, where: string): string {
  return typeof value === 'string' ? value : reject(where, 'a string');
}

function toContentPart(part: unknown, where: string): ChatContentPart {
  if (!isPlainObject(part)) reject(where, 'an object');
  switch (part.type) {
    case 'input_text':
    case 'output_text':
    case 'text':
      return { type: 'text', text: text(part.text, `${where}.text`) };
    case 'refusal':
      return { type: 'text', text: text(part.refusal, `${where}.refusal`) };
    case 'input_image':
      if (typeof part.image_url !== 'string' || part.image_url === '') badRequest(`${where}.image_url is required (a file_id needs stored files: ${STATELESS})`);
      return { type: 'image_url', image_url: { url: part.image_url } };
    default:
      return badRequest(`${where}.type '${String(part.type)}' is not supported (use input_text or input_image)`);
  }
}

/** A message's content as chat content: a string stays a string; parts become chat parts. */
function toContent(content: unknown, where: string): string | ChatContentPart[] {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return reject(where, 'a string or an array of content parts');
  return content.map((part, index) => toContentPart(part, `${where}[${index}]`));
}

// Only user turns may carry images upstream; other roles get their text.
function joinText(content: string | ChatContentPart[]): string {
  if (typeof content === 'string') return content;
  return content.map((part) => (part.type === 'text' ? part.text : '')).join('');
}

/** A tool's output as the tool message's text, and the images it returned (they follow as user content). */
function toToolOutput(output: unknown, where: string): { text: string; images: ChatContentPart[] } {
  if (typeof output === 'string') return { text: output, images: [] };
  if (!Array.isArray(output)) return { text: JSON.stringify(output ?? ''), images: [] };
  const parts = toContent(output, where) as ChatContentPart[];
  return { text: joinText(parts), images: parts.filter((part) => part.type === 'image_url') };
}

function reasoningText(item: Record<string, unknown>): string {
  const pieces = [...(Array.isArray(item.summary) ? item.summary : []), ...(Array.isArray(item.content) ? item.content : [])];
  return pieces.map((piece) => (isPlainObject(piece) && typeof piece.text === 'string' ? piece.text : '')).filter((t) => t !== '').join('\n');
}

interface Builder {
  messages: ChatMessage[];
  reasoning: string;
  skipped: string[];
  toolImages: Map<ChatMessage, ChatContentPart[]>;
}

function assistant(builder: Builder, content: string | null, merge: boolean): ChatMessage {
  const last = builder.messages[builder.messages.length - 1];
  if (merge && last?.role === 'assistant') return last;
  const message: ChatMessage = { role: 'assistant', content };
  if (builder.reasoning !== '') message.reasoning = builder.reasoning;
  builder.reasoning = '';
  builder.messages.push(message);
  return message;
}

function addToolCall(builder: Builder, item: Record<string, unknown>, where: string, toolName: string, args: string) {
  const id = text(item.call_id ?? item.id, `${where}.call_id`);
  const name = toUpstreamToolName(toolName, typeof item.namespace === 'string' ? item.namespace : undefined);
  const message = assistant(builder, null, true);
  (message.tool_calls ??= []).push({ id, type: 'function', function: { name, arguments: args } });
}

function addItem(builder: Builder, item: unknown, where: string) {
  if (!isPlainObject(item)) reject(where, 'an object');
  const type = item.type ?? (item.role !== undefined ? 'message' : undefined);
  switch (type) {
    case 'message': {
      const role = ROLES[String(item.role)] ?? reject(`${where}.role`, 'one of user, assistant, system, developer');
      const content = toContent(item.content, `${where}.content`);
      if (role === 'assistant') assistant(builder, joinText(content), false);
      else builder.messages.push({ role, content: role === 'user' ? content : joinText(content) });
      return;
    }
    case 'function_call':
      return addToolCall(builder, item, where, text(item.name, `${where}.name`), text(item.arguments, `${where}.arguments`));
    case 'custom_tool_call':
      // Upstream a custom tool is a function taking {"input": string} (see to-chat-tools.ts).
      return addToolCall(builder, item, where, text(item.name, `${where}.name`), JSON.stringify({ input: text(item.input, `${where}.input`) }));
    case 'local_shell_call':
      return addToolCall(builder, item, where, 'local_shell', JSON.stringify(item.action ?? {}));
    case 'function_call_output':
    case 'custom_tool_call_output':
    case 'local_shell_call_output': {
      const output = toToolOutput(item.output, `${where}.output`);
      const message: ChatMessage = { role: 'tool', tool_call_id: text(item.call_id, `${where}.call_id`), content: output.text };
      builder.messages.push(message);
      if (output.images.length > 0) builder.toolImages.set(message, output.images);
      return;
    }
    case 'reasoning':
      builder.reasoning = [builder.reasoning, reasoningText(item)].filter((t) => t !== '').join('\n');
      return;
    case 'item_reference':
      return badRequest(`${where} refers to a stored item: ${STATELESS}`);
    default:
      if (typeof type === 'string' && SKIPPED_ITEMS.has(type)) return void builder.skipped.push(type);
      return badRequest(`${where}.type '${String(type)}' is not a supported input item`);
  }
}

/**
 * Responses `instructions` + `input` → chat messages. Consecutive tool calls join one assistant
 * message; a reasoning item's text rides on the next assistant message (OpenRouter's `reasoning`);
 * images in a tool's output follow the tool messages as user content.
 * Items for OpenAI's hosted tools are skipped and reported, not rejected.
 */
export function toChatMessages(instructions: string | undefined, input: unknown): { messages: ChatMessage[]; skippedItems: string[] } {
  const builder: Builder = { messages: [], reasoning: '', skipped: [], toolImages: new Map() };
  if (instructions !== undefined && instructions !== '') builder.messages.push({ role: 'system', content: instructions });
  if (typeof input === 'string') builder.messages.push({ role: 'user', content: input });
  else if (Array.isArray(input)) input.forEach((item, index) => addItem(builder, item, `input[${index}]`));
  else reject('input', 'a string or an array of input items');
  return { messages: placeToolImages(builder.messages, (message) => builder.toolImages.get(message)), skippedItems: [...new Set(builder.skipped)] };
}
