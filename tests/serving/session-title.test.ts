// Which requests are session-title requests, and the titles the proxy makes for them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ChatBody } from '../../src/chat/wire.ts';
import { localTitle, sessionTitleRequest } from '../../src/serving/session-title.ts';

const TITLE_SCHEMA = { type: 'object', properties: { title: { type: 'string' } }, required: ['title'], additionalProperties: false };
const asked = (schema: unknown, extra: Partial<ChatBody> = {}): ChatBody => ({
  messages: [{ role: 'system', content: 'Name the session.' }, { role: 'user', content: '<session>\nRefactor the SSE parser in sse-parser.ts\n</session>\n\nWrite the title.' }],
  response_format: { type: 'json_schema', json_schema: { name: 'output', schema } },
  ...extra,
});

describe('sessionTitleRequest', () => {
  const cases: Array<[string, ChatBody, string | undefined]> = [
    ["Claude Code's request: the text inside <session>", asked(TITLE_SCHEMA), '\nRefactor the SSE parser in sse-parser.ts\n'],
    ['a bare {title: string} schema, the last user message', { ...asked({ type: 'object', properties: { title: { type: 'string', description: 'A title' } } }), messages: [{ role: 'user', content: 'Fix the login bug' }] }, 'Fix the login bug'],
    ['text parts', { ...asked(TITLE_SCHEMA), messages: [{ role: 'user', content: [{ type: 'text', text: 'Dark mode' }] }] }, 'Dark mode'],
    ['with tools: an agent turn, not a title', asked(TITLE_SCHEMA, { tools: [{ type: 'function', function: { name: 'f' } }] }), undefined],
    ['another property too', asked({ type: 'object', properties: { title: { type: 'string' }, summary: { type: 'string' } } }), undefined],
    ['a title that is not a string', asked({ type: 'object', properties: { title: { type: 'array' } } }), undefined],
    ['extra schema keywords (an enum)', asked({ type: 'object', properties: { title: { type: 'string', enum: ['a'] } } }), undefined],
    ['additional properties allowed', asked({ ...TITLE_SCHEMA, additionalProperties: true }), undefined],
    ['JSON mode, no schema', { ...asked(TITLE_SCHEMA), response_format: { type: 'json_object' } }, undefined],
    ['no structured output', { messages: [{ role: 'user', content: 'title?' }] }, undefined],
  ];
  for (const [name, chat, expected] of cases) test(name, () => assert.equal(sessionTitleRequest(chat), expected));
});

describe('localTitle', () => {
  const cases: Array<[string, string]> = [
    ['\nRefactor the SSE parser in sse-parser.ts\n', 'SSE parser in sse-parser.ts'],
    ['Run the command. [tool=Bash][args={"command":"ls"}]', 'Command'],
    ['please can you help me with the flaky outage tests in CI and more words here', 'Flaky outage tests in CI'],
    ['## Heading\n\n```ts\nconst x = 1;\n```\nwhy does `parseConfig` throw?', 'Heading'],
    ['```\nonly code\n```', 'New session'],
    ['   ', 'New session'],
    ['日本語のタイトルを作る', '日本語のタイトルを作る'],
    ['überprüfe die Datei', 'Überprüfe die Datei'],
  ];
  for (const [text, expected] of cases) test(JSON.stringify(text), () => assert.equal(localTitle(text), expected));
});
