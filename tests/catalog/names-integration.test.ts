// Names agent tools depend on, end to end against the offline OpenRouter: the Ollama version Codex
// checks, Ollama-library names, /api/pull, and aliases through /api/chat and /v1/chat/completions.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { getJson, modelsTried, ndjsonLines, ollamaChat, openaiChat } from '../helpers/free-mode-helpers.ts';
import { post, startProxy, type Proxy } from '../helpers/harness.ts';

const ALIASES = [
  '# Claude Code asks for claude-* names',
  'claude-*haiku* = gemini-2.0-flash-exp:free',
  'claude-* = qwen3-coder:free, deepseek-r1:free',
  'coder = qwen3-coder:30b',
  'this line is wrong',
].join('\n');

function writeAliases(proxy: Proxy, text: string): void {
  writeFileSync(join(proxy.dir, 'aliases'), text);
}

for (const freeMode of ['true', 'false']) {
  test(`FREE_MODE=${freeMode}: /api/version is at least 0.13.4 in plain integers`, async (t) => {
    const proxy = await startProxy(t, { env: { FREE_MODE: freeMode } });
    const { body } = await getJson(proxy, '/api/version');
    assert.match(body.version, /^\d+\.\d+\.\d+$/);
    const [major, minor, patch] = String(body.version).split('.').map(Number) as [number, number, number];
    assert.ok(major > 0 || minor > 13 || (minor === 13 && patch >= 4), body.version);
  });

  test(`FREE_MODE=${freeMode}: Ollama-library names reach the matching OpenRouter model`, async (t) => {
    const proxy = await startProxy(t, { env: { FREE_MODE: freeMode } });
    for (const [name, id] of [['gpt-oss:20b', 'openai/gpt-oss-20b:free'], ['qwen3-coder:30b', 'qwen/qwen3-coder:free']]) {
      proxy.fake.reset();
      const ollama = await ollamaChat(proxy, name as string, { stream: false });
      assert.equal(ollama.status, 200, ollama.text);
      assert.deepEqual(modelsTried(proxy), [id]);
      const openai = await openaiChat(proxy, name as string);
      assert.equal(openai.status, 200, openai.text);
      assert.deepEqual(modelsTried(proxy), [id, id]);
    }
  });

  test(`FREE_MODE=${freeMode}: a pull of a name the proxy serves ends with success`, async (t) => {
    const proxy = await startProxy(t, { env: { FREE_MODE: freeMode } });
    writeAliases(proxy, ALIASES);
    for (const model of ['gpt-oss:20b', 'qwen3-coder:30b', 'claude-opus-5-5', 'coder']) {
      const streamed = await post(proxy, '/api/pull', { model, stream: true });
      assert.equal(streamed.status, 200, model);
      assert.deepEqual(ndjsonLines(streamed.text).at(-1), { status: 'success' }, model);
      const single = await post(proxy, '/api/pull', { model, stream: false });
      assert.deepEqual(single.json(), { status: 'success' }, model);
    }
  });

  test(`FREE_MODE=${freeMode}: aliases send claude-* names to their targets on both APIs`, async (t) => {
    const proxy = await startProxy(t, { env: { FREE_MODE: freeMode } });
    writeAliases(proxy, ALIASES);
    const cases: [string, string][] = [
      ['claude-haiku-4-5', 'google/gemini-2.0-flash-exp:free'],
      ['claude-opus-5-5', 'qwen/qwen3-coder:free'],
      ['Claude-Sonnet-4-5:latest', 'qwen/qwen3-coder:free'],
      ['coder', 'qwen/qwen3-coder:free'],
    ];
    for (const [name, id] of cases) {
      proxy.fake.reset();
      assert.equal((await ollamaChat(proxy, name, { stream: false })).model, id, name);
      assert.equal((await openaiChat(proxy, name)).model, id, name);
      assert.deepEqual(modelsTried(proxy), [id, id], name);
    }
    // The bad line is reported once, with its number, however many requests read the file.
    assert.equal(proxy.logs.filter((line) => line.includes('line 5')).length, 1);
  });

  test(`FREE_MODE=${freeMode}: when an alias's first model fails, its next target answers`, async (t) => {
    const proxy = await startProxy(t, { env: { FREE_MODE: freeMode } });
    writeAliases(proxy, ALIASES);
    proxy.fake.script('qwen/qwen3-coder:free', { kind: 'http', status: 503 }, { kind: 'http', status: 503 });
    const ollama = await ollamaChat(proxy, 'claude-opus-5-5', { stream: false });
    assert.equal(ollama.status, 200, ollama.text);
    assert.equal(ollama.model, 'deepseek/deepseek-r1:free');
    assert.deepEqual(modelsTried(proxy), ['qwen/qwen3-coder:free', 'deepseek/deepseek-r1:free']);
  });

  test(`FREE_MODE=${freeMode}: alias names without globs are listed in /api/tags and /v1/models`, async (t) => {
    const proxy = await startProxy(t, { env: { FREE_MODE: freeMode } });
    writeAliases(proxy, `${ALIASES}\nnowhere = no-such-model:free\n`);
    const tags = (await getJson(proxy, '/api/tags')).body.models.map((model: { name: string }) => model.name);
    const ids = (await getJson(proxy, '/v1/models')).body.data.map((model: { id: string }) => model.id);
    for (const names of [tags, ids]) {
      assert.ok(names.includes('coder'), names.join());
      // Globs are not names, and an alias whose models are all unavailable is not offered.
      assert.ok(!names.some((name: string) => name.includes('*') || name === 'nowhere'), names.join());
    }
  });
}

test('FREE_MODE=false: a name that is neither a model, an alias nor a library name is still a 404', async (t) => {
  const proxy = await startProxy(t, { env: { FREE_MODE: 'false' } });
  writeAliases(proxy, ALIASES);
  const result = await openaiChat(proxy, 'gpt-5-imaginary');
  assert.equal(result.status, 404, result.text);
});

test('FREE_MODE=true: any other name still works, as before', async (t) => {
  const proxy = await startProxy(t);
  const result = await ollamaChat(proxy, 'gpt-5-imaginary', { stream: false });
  assert.equal(result.status, 200, result.text);
});
