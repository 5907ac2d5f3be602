// Thinking blocks carry a non-empty, opaque signature (streamed as Anthropic does, in a final
// `signature_delta`), and a block sent back with it in history is accepted and reaches the model as the
// assistant's reasoning. pi turned blocks with an empty signature into visible text in its history.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { APP_ORIGIN, startProxy } from '../helpers/harness.ts';

const request = { model: 'deepseek-r1:free', max_tokens: 200, thinking: { type: 'enabled' as const, budget_tokens: 100 } };

for (const stream of [true, false]) {
  test(`${stream ? 'streamed' : 'non-stream'} thinking gets a non-empty signature, and the block comes back as reasoning`, async (t) => {
    const proxy = await startProxy(t);
    const anthropic = new Anthropic({ baseURL: APP_ORIGIN, fetch: proxy.fetch, apiKey: 'unused', maxRetries: 0 });
    const first = { ...request, messages: [{ role: 'user' as const, content: 'Why is the sky blue?' }] };
    const message = stream ? await anthropic.messages.stream(first).finalMessage() : await anthropic.messages.create(first);
    const thinking = message.content.find((block) => block.type === 'thinking');
    assert.ok(thinking?.type === 'thinking');
    assert.match(thinking.signature, /^\S{16,}$/);
    const history = [...first.messages, { role: 'assistant' as const, content: message.content }, { role: 'user' as const, content: 'And at sunset?' }];
    const second = await anthropic.messages.create({ ...request, messages: history });
    assert.equal(second.type, 'message');
    const upstream = proxy.fake.chatRequests();
    assert.equal(upstream.length, 2);
    const assistant = (upstream[1]?.messages as Array<{ role: string; reasoning?: string; content: unknown }>).find((m) => m.role === 'assistant');
    assert.equal(assistant?.reasoning, thinking.thinking);
    assert.equal(JSON.stringify(assistant?.content).includes(thinking.signature), false, 'the signature is not shown to the model');
  });
}
