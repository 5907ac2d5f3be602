// The Ollama API as of the version this server reports (0.32.15: server/routes.go and api/types.go at
// that tag), through the real HTTP server: `capabilities` in /api/tags entries (Cline, Kilo and Open
// WebUI read them for tool and vision badges), /api/status, the cloud-only routes answering as an Ollama
// with cloud disabled, and `think: "max"`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OLLAMA_VERSION } from '../../src/dialects/ollama/api.ts';
import { post, startProxy } from '../helpers/harness.ts';

test('/api/tags entries carry the same capabilities as /api/show', async (t) => {
  const proxy = await startProxy(t);
  const models = ((await (await proxy.fetch('/api/tags')).json()) as { models: Array<{ name: string; capabilities: string[] }> }).models;
  assert.ok(models.length > 0);
  for (const model of models) {
    const show = (await post(proxy, '/api/show', { model: model.name })).json();
    assert.deepEqual(model.capabilities, show.capabilities, model.name);
  }
  const byName = new Map(models.map((model) => [model.name, model.capabilities]));
  assert.deepEqual(byName.get('qwen3-coder:free'), ['completion', 'tools']);
  assert.deepEqual(byName.get('llama-nemotron-embed-vl-1b-v2:free'), ['embedding']);
  assert.ok(byName.get('gemini-2.0-flash-exp:free')?.includes('vision'));
  assert.equal(proxy.fake.chatRequests().length, 0);
});

test('/api/version, /api/status and the cloud-only routes', async (t) => {
  const proxy = await startProxy(t);
  assert.deepEqual(await (await proxy.fetch('/api/version')).json(), { version: OLLAMA_VERSION });
  assert.deepEqual(await (await proxy.fetch('/api/status')).json(), { cloud: { disabled: true, source: 'config' } });
  for (const [path, what] of [['web_search', 'web search'], ['web_fetch', 'web fetch']]) {
    const reply = await post(proxy, `/api/experimental/${path}`, { query: 'x', url: 'http://example.com' });
    assert.equal(reply.status, 403);
    assert.deepEqual(reply.json(), { error: `ollama cloud is disabled: ${what} is unavailable` });
  }
  assert.equal(proxy.fake.chatRequests().length, 0);
});

test('think: "max" reaches OpenRouter as the max reasoning effort; /api/ps then lists the model with its context length', async (t) => {
  const proxy = await startProxy(t);
  const reply = await post(proxy, '/api/chat', { model: 'deepseek-r1:free', think: 'max', stream: false, messages: [{ role: 'user', content: 'Why?' }] });
  assert.equal(reply.status, 200, reply.text);
  assert.ok(reply.json().message.thinking.length > 0);
  const upstream = proxy.fake.chatRequests();
  assert.equal(upstream.length, 1);
  assert.deepEqual(upstream[0]?.reasoning, { effort: 'max' });
  const ps = ((await (await proxy.fetch('/api/ps')).json()) as { models: Array<Record<string, unknown>> }).models;
  assert.deepEqual(ps.map((model) => [model.name, model.context_length, 'capabilities' in model]), [['deepseek-r1:free', 163840, false]]);
});
