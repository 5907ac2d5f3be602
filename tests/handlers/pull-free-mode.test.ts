// In free mode /api/chat answers any name with a free model, so /api/pull must succeed for any name
// too: Codex --oss pulls its default gpt-oss:20b first and stops with "OSS setup failed" otherwise,
// even when the filter or the day's free list has no gpt-oss model.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ndjsonLines, ollamaChat } from '../helpers/free-mode-helpers.ts';
import { post, startProxy, type Proxy } from '../helpers/harness.ts';

async function pulls(proxy: Proxy, model: string): Promise<{ streamed: unknown; single: { status: number; body: unknown } }> {
  const streamed = await post(proxy, '/api/pull', { model });
  const single = await post(proxy, '/api/pull', { model, stream: false });
  return { streamed: ndjsonLines(streamed.text).at(-1), single: { status: single.status, body: single.json() } };
}

test('free mode: a pull succeeds for every name chat serves, the filtered-out gpt-oss:20b and made-up names included', async (t) => {
  const proxy = await startProxy(t);
  writeFileSync(join(proxy.dir, 'filter'), 'qwen3-coder\n');
  for (const name of ['gpt-oss:20b', 'gpt-5-imaginary', 'qwen3-coder:free']) {
    assert.deepEqual(await pulls(proxy, name), { streamed: { status: 'success' }, single: { status: 200, body: { status: 'success' } } }, name);
    const chat = await ollamaChat(proxy, name, { stream: false });
    assert.equal(chat.status, 200, chat.text);
  }
  assert.equal(proxy.fake.chatRequests().length, 3, 'a pull costs no upstream request');
});

test('free mode: when the filter hides every model, pull fails as chat does', async (t) => {
  const proxy = await startProxy(t);
  writeFileSync(join(proxy.dir, 'filter'), 'no-model-is-called-this\n');
  const { streamed, single } = await pulls(proxy, 'gpt-oss:20b');
  assert.match(String((streamed as { error?: string }).error), /no free model matches the filter/);
  assert.equal(single.status, 404);
  assert.equal((await ollamaChat(proxy, 'gpt-oss:20b', { stream: false })).status, 400);
  assert.equal(proxy.fake.chatRequests().length, 0);
});

test('FREE_MODE=false: a name the proxy cannot serve is still a failed pull', async (t) => {
  const proxy = await startProxy(t, { env: { FREE_MODE: 'false' } });
  const { streamed, single } = await pulls(proxy, 'gpt-5-imaginary');
  assert.match(String((streamed as { error?: string }).error), /not found in the OpenRouter catalog/);
  assert.equal(single.status, 404);
});
