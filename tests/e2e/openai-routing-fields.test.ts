import assert from 'node:assert/strict';
import { test } from 'node:test';
import { post, startProxy } from '../helpers/harness.ts';

const request = {
  model: 'llama3.2',
  messages: [{ role: 'user', content: 'hi' }],
  models: ['openai/gpt-4o'],
  route: 'fallback',
  plugins: [{ id: 'web' }],
  web_search_options: { search_context_size: 'high' },
  provider: { sort: 'price' },
  top_k: 5,
};

test('free mode: /v1 requests cannot pick paid fallbacks or paid add-ons upstream', async (t) => {
  const proxy = await startProxy(t);
  const answer = await post(proxy, '/v1/chat/completions', request);
  assert.equal(answer.status, 200);
  const upstream = proxy.fake.chatRequests().at(-1) ?? {};
  for (const field of ['models', 'route', 'plugins', 'web_search_options']) assert.equal(field in upstream, false, `${field} is not forwarded`);
  assert.deepEqual(upstream.provider, { sort: 'price' });
  assert.equal(upstream.top_k, 5);
  assert.equal(upstream.model, answer.headers.get('x-proxy-model'));
  const ps = (await (await proxy.fetch('/api/ps')).json()) as { models: Array<{ model: string }> };
  assert.equal(ps.models.length, 1, '/v1 chats show in /api/ps');
});

test('non-free mode: the proxy still does the model routing, but paid add-ons pass through', async (t) => {
  const proxy = await startProxy(t, { env: { FREE_MODE: 'false' } });
  const answer = await post(proxy, '/v1/chat/completions', { ...request, model: 'gpt-4o' });
  assert.equal(answer.status, 200);
  const upstream = proxy.fake.chatRequests().at(-1) ?? {};
  assert.equal('models' in upstream, false);
  assert.equal('route' in upstream, false);
  assert.deepEqual(upstream.plugins, [{ id: 'web' }]);
  assert.deepEqual(upstream.web_search_options, { search_context_size: 'high' });
});
