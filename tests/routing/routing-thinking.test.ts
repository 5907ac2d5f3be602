import assert from 'node:assert/strict';
import { test } from 'node:test';
import { post, startProxy } from '../helpers/harness.ts';

test('free mode tries models that can think first when a request asks for thinking', async (t) => {
  const proxy = await startProxy(t);
  const thinkers = proxy.app.router.visibleModels().filter((model) => model.capabilities.thinking && model.capabilities.completion);
  const first = proxy.app.router.visibleModels().find((model) => model.capabilities.completion);
  assert.ok(thinkers.length > 0 && first !== undefined && !first.capabilities.thinking, 'the top free model cannot think');

  const plain = await post(proxy, '/api/chat', { model: 'anything', stream: false, messages: [{ role: 'user', content: 'hi' }] });
  assert.equal(plain.headers.get('x-proxy-model'), first.id);

  const thinking = await post(proxy, '/api/chat', { model: 'anything', stream: false, think: true, messages: [{ role: 'user', content: 'hi' }] });
  assert.equal(thinking.headers.get('x-proxy-model'), thinkers[0]?.id);
  assert.equal(thinking.json().message.thinking, 'Thinking about: hi');

  const viaOpenAI = await post(proxy, '/v1/chat/completions', { model: 'anything', reasoning: { effort: 'high' }, messages: [{ role: 'user', content: 'hi' }] });
  assert.equal(viaOpenAI.headers.get('x-proxy-model'), thinkers[0]?.id);

  // A named free model keeps its place even when it cannot think.
  const named = await post(proxy, '/api/chat', { model: first.name, stream: false, think: 'low', messages: [{ role: 'user', content: 'hi' }] });
  assert.equal(named.headers.get('x-proxy-model'), first.id);
});
