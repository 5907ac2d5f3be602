import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Ollama } from 'ollama';
import OpenAI from 'openai';
import { APP_ORIGIN, startProxy } from '../helpers/harness.ts';

test('ollama and openai clients chat through the proxy', async (t) => {
  const proxy = await startProxy(t);
  const ollama = new Ollama({ host: APP_ORIGIN, fetch: proxy.fetch });
  const reply = await ollama.chat({ model: 'llama3.2', messages: [{ role: 'user', content: 'hi there' }] });
  assert.equal(reply.message.content, 'Echo: hi there');
  let streamed = '';
  for await (const part of await ollama.chat({ model: 'llama3.2', stream: true, messages: [{ role: 'user', content: 'one two' }] })) streamed += part.message.content;
  assert.equal(streamed, 'Echo: one two');
  const openai = new OpenAI({ baseURL: `${APP_ORIGIN}/v1`, fetch: proxy.fetch, apiKey: 'unused' });
  const completion = await openai.chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'abc' }] });
  assert.equal(completion.choices[0]?.message.content, 'Echo: abc');
  let text = '';
  for await (const chunk of await openai.chat.completions.create({ model: 'x', stream: true, messages: [{ role: 'user', content: 'd e' }] })) text += chunk.choices[0]?.delta?.content ?? '';
  assert.equal(text, 'Echo: d e');
});
