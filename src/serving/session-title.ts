// Session titles, answered by the proxy: agents name each session with a small structured-output
// request (Claude Code sends one per session, `{title: string}`), which costs a request of the free
// quota for a few words the proxy can make itself. Pure functions over any dialect's converted
// request (every dialect turns its structured-output field into `response_format`).
import type { ChatBody } from '../chat/wire.ts';

const TITLE_WORDS = 5;
const TITLE_CHARS = 60;

/**
 * The text that names the session, when a request is a title request: no tools, and a JSON schema that
 * is exactly an object with one string property `title`. The text is what the agent wraps in
 * `<session>…</session>` (Claude Code does), else the last user message.
 */
export function sessionTitleRequest(chat: Pick<ChatBody, 'tools' | 'response_format' | 'messages'>): string | undefined {
  if ((chat.tools?.length ?? 0) > 0 || chat.response_format?.type !== 'json_schema') return undefined;
  if (!isTitleSchema(chat.response_format.json_schema.schema)) return undefined;
  const last = chat.messages.findLast((message) => message.role === 'user');
  const text = textOf(last?.content);
  return /<session>([\s\S]*?)<\/session>/.exec(text)?.[1] ?? text;
}

// `{type: "object", properties: {title: {type: "string"}}}`, with `required`, `additionalProperties: false`
// and descriptions allowed; anything more is a different request and goes upstream.
function isTitleSchema(schema: unknown): boolean {
  if (!isRecord(schema) || schema.type !== 'object' || !isRecord(schema.properties)) return false;
  if (!Object.keys(schema).every((key) => ['type', 'properties', 'required', 'additionalProperties', 'description', 'title', '$schema'].includes(key))) return false;
  const properties = Object.entries(schema.properties);
  const title = schema.properties.title;
  if (properties.length !== 1 || !isRecord(title) || title.type !== 'string') return false;
  if (!Object.keys(title).every((key) => key === 'type' || key === 'description')) return false;
  const required = schema.required;
  return (required === undefined || (Array.isArray(required) && required.every((name) => name === 'title'))) && (schema.additionalProperties ?? false) === false;
}

// Words that say what the user wants done, not what the session is about (Claude Code's own title
// instructions leave them out too), and the politeness around them.
const LEADING_NOISE = new Set(['please', 'can', 'could', 'would', 'you', 'i', 'we', 'want', 'need', 'to', 'help', 'me', 'with', 'let', "let's", 'lets', 'hey', 'hi',
  'hello', 'fix', 'add', 'check', 'investigate', 'implement', 'evaluate', 'debug', 'refactor', 'update', 'run', 'make', 'create', 'write', 'look', 'into', 'at',
  'the', 'a', 'an', 'some', 'now']);

/**
 * A short title made from the session's text: its first line with words in it, without markup or
 * bracketed directives, leading request words dropped, at most five words, in sentence case.
 */
export function localTitle(sessionText: string): string {
  const line = sessionText.replace(/```[\s\S]*?(```|$)/g, ' ').replace(/\[[^\]]*\]|<[^>]*>|[`*_#>|]/g, ' ').split(/\n|(?<=[.!?])\s/)
    .map((part) => part.trim()).find((part) => /\p{L}|\p{N}/u.test(part)) ?? '';
  const words = line.split(/\s+/).map((word) => word.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '')).filter((word) => word !== '');
  const start = words.findIndex((word) => !LEADING_NOISE.has(word.toLowerCase()));
  const kept = (start === -1 ? words : words.slice(start)).slice(0, TITLE_WORDS);
  let title = kept.join(' ').slice(0, TITLE_CHARS).trim();
  if (title === '') return 'New session';
  title = title[0]?.toUpperCase() + title.slice(1);
  return title;
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part) => (isRecord(part) && typeof part.text === 'string' ? part.text : '')).join('\n');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
