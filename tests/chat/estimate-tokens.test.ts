// The one token estimate: count_tokens' figure, and the range routing trusts it within.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { estimateTokens, type TokenEstimate } from '../../src/chat/estimate-tokens.ts';
import type { ChatBody } from '../../src/chat/wire.ts';

const text = (chars: number) => 'x'.repeat(chars);
const image = { type: 'image_url', image_url: { url: 'data:' } } as const;

const cases: Array<[string, Pick<ChatBody, 'messages' | 'tools'>, TokenEstimate]> = [
  ['one short message', { messages: [{ role: 'user', content: 'abcd' }] }, { tokens: 1 + 3, atLeast: 0 + 3, atMost: 2 + 3 }],
  ['rounds the estimate up', { messages: [{ role: 'user', content: 'abcde' }] }, { tokens: 2 + 3, atLeast: 1 + 3, atMost: 2 + 3 }],
  ['60,000 characters: 15,000 tokens, between 12,000 and 20,000', { messages: [{ role: 'user', content: text(60_000) }] }, { tokens: 15_003, atLeast: 12_003, atMost: 20_003 }],
  ['images: 1,600 each, at least 85', { messages: [{ role: 'user', content: [{ type: 'text', text: 'abcd' }, image, image] }] }, { tokens: 1 + 3 + 3200, atLeast: 0 + 3 + 170, atMost: 2 + 3 + 3200 }],
  ['tool calls, reasoning and tool definitions count as text', {
    messages: [{ role: 'assistant', content: null, reasoning: 'abcd', tool_calls: [{ id: 'x', type: 'function', function: { name: 'ab', arguments: '{}' } }] }],
    tools: [{ type: 'function', function: { name: 'f' } }],
  }, { tokens: Math.ceil((4 + 4 + JSON.stringify({ name: 'f' }).length) / 4) + 3, atLeast: Math.floor(20 / 5) + 3, atMost: Math.ceil(20 / 3) + 3 }],
  // A /v1 client may relay anything: unknown parts count as their JSON, odd shapes as nothing.
  ['unknown parts and odd shapes', { messages: [{ role: 'user', content: [{ type: 'input_audio', data: 'ab' }] }, null, 'x'] as never }, (() => {
    const chars = JSON.stringify({ type: 'input_audio', data: 'ab' }).length;
    return { tokens: Math.ceil(chars / 4) + 9, atLeast: Math.floor(chars / 5) + 9, atMost: Math.ceil(chars / 3) + 9 };
  })()],
];

for (const [name, chat, expected] of cases) test(name, () => assert.deepEqual(estimateTokens(chat), expected));
