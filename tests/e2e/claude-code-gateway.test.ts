// What Claude Code reads from a gateway besides /v1/messages: `HEAD /api/hello` on every start (a quiet
// 200, even before the proxy key is checked), and, with CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY=1, the
// Anthropic-shaped /v1/models, whose claude-* ids fill its /model picker: aliases such as
// `claude-free-coder = qwen3-coder:free` are listed, embedding models (which cannot chat) are not.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { startProxy } from '../helpers/harness.ts';

test('HEAD and GET /api/hello answer 200 with no body, without the proxy key', async (t) => {
  const proxy = await startProxy(t, { env: { PROXY_API_KEY: 'proxy-secret-key' } });
  for (const method of ['HEAD', 'GET']) {
    const reply = await proxy.fetch('/api/hello', { method });
    assert.equal(reply.status, 200, method);
    assert.equal(await reply.text(), '', method);
  }
  assert.equal((await proxy.fetch('/api/tags')).status, 401, 'other paths still need the key');
  assert.equal(proxy.fake.chatRequests().length, 0);
});

test('the Anthropic model list shows claude-* aliases first and no embedding models', async (t) => {
  const proxy = await startProxy(t);
  writeFileSync(join(proxy.dir, 'aliases'), 'claude-free-coder = qwen3-coder:free\nclaude-free-thinker = deepseek-r1:free\n');
  const reply = await proxy.fetch('/v1/models?limit=100', { headers: { 'anthropic-version': '2023-06-01' } });
  const ids = ((await reply.json()) as { data: Array<{ id: string }> }).data.map((model) => model.id);
  assert.deepEqual(ids.slice(0, 2), ['claude-free-coder', 'claude-free-thinker']);
  assert.ok(ids.includes('qwen3-coder:free'), ids.join());
  assert.deepEqual(ids.filter((id) => /embed/i.test(id)), []);
  // The OpenAI list still has them: /v1/embeddings clients pick from it.
  const openai = (await (await proxy.fetch('/v1/models')).json()) as { data: Array<{ id: string }> };
  assert.ok(openai.data.some((model) => /embed/i.test(model.id)));
  assert.equal(proxy.fake.chatRequests().length, 0);
});
