// The `ollama` npm client (ollama-js 0.6.4) end to end, for everything but inference: version, list,
// show, load and unload, ps, pull, the unmanaged operations and embeddings.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { embeddingVector } from '../../src/fake-openrouter/embeddings.ts';
import { OLLAMA_VERSION } from '../../src/dialects/ollama/api.ts';
import {
  collect, FREE_MODEL_NAMES, json, JSON_TYPE, lastUpstreamEmbedding, ollamaClient as client, parseDottedVersion, rawRequest, RFC3339, versionAtLeast,
} from '../helpers/fidelity-helpers.ts';
import { FREE_EMBEDDER } from '../helpers/free-mode-helpers.ts';

describe('ollama client: discovery', () => {
  test('version, list and show', async (t) => {
    const { ollama } = await client(t);
    const { version } = await ollama.version();
    assert.equal(version, OLLAMA_VERSION);
    assert.ok(versionAtLeast(parseDottedVersion(version), [0, 6, 4]));

    const { models } = await ollama.list();
    assert.deepEqual(models.map((model) => model.name), FREE_MODEL_NAMES);
    for (const model of models) {
      assert.equal(model.model, model.name);
      assert.match(String(model.modified_at), RFC3339);
      assert.match(model.digest, /^[0-9a-f]{64}$/);
    }
    const gemini = models.find((model) => model.name === 'gemini-2.0-flash-exp:free');
    assert.deepEqual(gemini?.details.families, ['gemini', 'clip']);

    const shown = await ollama.show({ model: 'gpt-oss-20b:free' });
    assert.deepEqual(shown.capabilities, ['completion', 'tools', 'thinking']);
    const info = shown.model_info as unknown as Record<string, unknown>;
    assert.equal(info['general.architecture'], 'gpt');
    assert.equal(info['gpt.context_length'], 131072);
    assert.match(shown.parameters, /^num_ctx\s+131072$/m);
    assert.deepEqual((await ollama.show({ model: 'gemini-2.0-flash-exp:free' })).capabilities, ['completion', 'tools', 'vision']);
    await assert.rejects(ollama.show({ model: 'no-such-model' }), { name: 'ResponseError', status_code: 404, error: "model 'no-such-model:latest' not found" });
  });
});

describe('ollama client: load, unload and ps', () => {
  test('empty messages or prompt load; keep_alive 0 unloads; ps follows keep_alive', async (t) => {
    const { proxy, ollama } = await client(t);
    const now = Date.UTC(2026, 0, 2, 3, 4, 5, 600);
    proxy.clock.wallMs = now;
    const iso = (ms: number) => new Date(ms).toISOString();

    const load = await ollama.chat({ model: 'gpt-oss-20b:free', messages: [] });
    assert.deepEqual(load, { model: 'gpt-oss-20b:free', created_at: iso(now), message: { role: 'assistant', content: '' }, done: true, done_reason: 'load' });
    const generateLoad = await ollama.generate({ model: 'gpt-oss-20b:free', prompt: '' });
    assert.deepEqual(generateLoad, { model: 'gpt-oss-20b:free', created_at: iso(now), response: '', done: true, done_reason: 'load' });

    await ollama.chat({ model: 'llama3.2', keep_alive: '10m', messages: [{ role: 'user', content: 'hi' }] });
    await ollama.chat({ model: 'qwen3-coder:free', keep_alive: 90, messages: [{ role: 'user', content: 'hi' }] });
    const { models } = await ollama.ps();
    assert.deepEqual(models.map((m) => [m.name, m.model, m.expires_at]), [
      ['llama3.2:latest', 'llama3.2:latest', iso(now + 600_000)],
      ['gpt-oss-20b:free', 'gpt-oss-20b:free', iso(now + 300_000)],
      ['qwen3-coder:free', 'qwen3-coder:free', iso(now + 90_000)],
    ]);
    const llama = models[0] as (typeof models)[number] & { context_length: number };
    assert.equal(llama.details.family, 'gemini');
    assert.equal(llama.context_length, 1048576);
    assert.equal(llama.size_vram, llama.size);

    const unload = await ollama.generate({ model: 'gpt-oss-20b:free', prompt: '', keep_alive: 0 });
    assert.equal(unload.done_reason, 'unload');
    const unloadChat = await ollama.chat({ model: 'llama3.2', messages: [], keep_alive: '0s' });
    assert.equal(unloadChat.done_reason, 'unload');
    assert.deepEqual((await ollama.ps()).models.map((m) => m.name), ['qwen3-coder:free']);

    // Free mode serves any name; loading one lists it under that name, with the tag Ollama adds.
    await ollama.chat({ model: 'mistral', messages: [], keep_alive: '1m' });
    assert.deepEqual((await ollama.ps()).models.map((m) => [m.name, m.details.family]), [['qwen3-coder:free', 'qwen'], ['mistral:latest', 'gemini']]);

    proxy.clock.wallMs = now + 90_000;
    assert.deepEqual((await ollama.ps()).models, []);
    // Nothing reached OpenRouter for the loads and unloads.
    assert.equal(proxy.fake.chatRequests().length, 2);
  });
});

describe('ollama client: pull and unmanaged operations', () => {
  test('pull streams progress ending in success; stream:false answers success; in free mode any name chat serves pulls too', async (t) => {
    const { ollama } = await client(t);
    const progress = await collect(await ollama.pull({ model: 'gpt-oss-20b:free', stream: true }));
    assert.deepEqual(progress.map((p) => p.status), ['pulling manifest', 'pulling dab560b5e1bf', 'verifying sha256 digest', 'writing manifest', 'success']);
    assert.deepEqual(await ollama.pull({ model: 'gpt-oss-20b:free' }), { status: 'success' });
    // Free mode answers any name with a free model, so a pull of one succeeds (FREE_MODE=false: tests/handlers/pull-free-mode.test.ts).
    assert.deepEqual((await collect(await ollama.pull({ model: 'nope', stream: true }))).at(-1), { status: 'success' });
    assert.deepEqual(await ollama.pull({ model: 'nope' }), { status: 'success' });
  });

  test('push, create, copy and delete say this server does not manage local models', async (t) => {
    const { ollama } = await client(t);
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['push', () => ollama.push({ model: 'a' })],
      ['create', () => ollama.create({ model: 'a', from: 'gpt-oss-20b:free' })],
      ['copy', () => ollama.copy({ source: 'a', destination: 'b' })],
      ['delete', () => ollama.delete({ model: 'a' })],
    ];
    for (const [action, call] of calls) {
      await assert.rejects(call(), {
        name: 'ResponseError',
        status_code: 501,
        error: `${action} is not supported: ollama-openrouter-proxy serves OpenRouter's models and does not manage local models`,
      });
    }
  });
});

describe('blobs (no client method; `ollama create` uses them)', () => {
  const path = `/api/blobs/sha256:${'ab'.repeat(32)}`;

  test('HEAD says the blob is missing; a POST says why it cannot be stored', async (t) => {
    const { proxy } = await client(t);
    assert.equal((await rawRequest(proxy, path, 'HEAD', {})).status, 404);
    const upload = await rawRequest(proxy, path, 'POST', {}, '');
    assert.equal(upload.status, 501);
    assert.equal(upload.headers['content-type'], JSON_TYPE);
    assert.deepEqual(json(upload), { error: "blobs is not supported: ollama-openrouter-proxy serves OpenRouter's models and does not manage local models" });
  });

  test('a binary upload gets the same answer', async (t) => {
    const { proxy } = await client(t);
    const upload = await rawRequest(proxy, path, 'POST', { 'Content-Type': 'application/octet-stream' }, 'GGUF\u0003\u0000binary');
    assert.equal(upload.status, 501);
  });
});

describe('ollama client: embeddings', () => {
  test('free mode: embed and legacy embeddings go to the free embedding model, whatever name is asked for', async (t) => {
    const { proxy, ollama } = await client(t);
    const embedded = await ollama.embed({ model: 'llama-nemotron-embed-vl-1b-v2:free', input: ['first text', 'second'] });
    assert.equal(embedded.model, 'llama-nemotron-embed-vl-1b-v2:free');
    assert.deepEqual(embedded.embeddings, [embeddingVector('first text'), embeddingVector('second')]);
    assert.equal((embedded as typeof embedded & { prompt_eval_count: number }).prompt_eval_count, 3);
    assert.deepEqual(lastUpstreamEmbedding(proxy), { model: FREE_EMBEDDER, input: ['first text', 'second'] });

    // A paid embedder's name is "any name" in free mode, as for chat: the free embedder answers.
    const legacy = await ollama.embeddings({ model: 'text-embedding-3-small', prompt: 'one' });
    assert.deepEqual(legacy.embedding, embeddingVector('one'));
    assert.deepEqual(lastUpstreamEmbedding(proxy), { model: FREE_EMBEDDER, input: ['one'] });
    const raw = await rawRequest(proxy, '/api/embed', 'POST', { 'Content-Type': 'application/json' }, JSON.stringify({ model: 'nomic-embed-text', input: 'x' }));
    assert.deepEqual([raw.status, raw.headers['x-proxy-model'], raw.headers['x-proxy-attempts']], [200, FREE_EMBEDDER, '1']);
    assert.deepEqual(json(raw).embeddings, [embeddingVector('x')]);

    assert.deepEqual((await ollama.show({ model: 'llama-nemotron-embed-vl-1b-v2:free' })).capabilities, ['embedding']);
    assert.equal(proxy.fake.chatRequests().length, 0, 'no chat model was asked to embed');
  });

  test('FREE_MODE=false: embed, legacy embeddings, the catalog entry and ps with the paid openai/text-embedding-3-small', async (t) => {
    const { proxy, ollama } = await client(t, { FREE_MODE: 'false' });
    const embedded = await ollama.embed({ model: 'text-embedding-3-small', input: ['first text', 'second'] });
    assert.equal(embedded.model, 'text-embedding-3-small');
    assert.deepEqual(embedded.embeddings, [embeddingVector('first text'), embeddingVector('second')]);
    assert.equal((embedded as typeof embedded & { prompt_eval_count: number }).prompt_eval_count, 3);
    assert.deepEqual(lastUpstreamEmbedding(proxy), { model: 'openai/text-embedding-3-small', input: ['first text', 'second'] });

    const legacy = await ollama.embeddings({ model: 'text-embedding-3-small:latest', prompt: 'one' });
    assert.deepEqual(legacy.embedding, embeddingVector('one'));

    assert.ok((await ollama.list()).models.some((model) => model.name === 'text-embedding-3-small:latest'));
    assert.deepEqual((await ollama.show({ model: 'text-embedding-3-small' })).capabilities, ['embedding']);
    assert.deepEqual((await ollama.ps()).models.map((m) => m.name), ['text-embedding-3-small:latest']);

    await assert.rejects(ollama.embed({ model: 'no-such-embedder', input: 'x' }), { name: 'ResponseError', status_code: 404 });
    await assert.rejects(ollama.chat({ model: 'llama3.2', messages: [{ role: 'user', content: 'x' }] }), { status_code: 404, error: "model 'llama3.2' not found" });
  });

  test('in free mode with the free embedding model filtered out, embed fails with a clear 400', async (t) => {
    const { proxy, ollama } = await client(t);
    writeFileSync(join(proxy.dir, 'filter'), 'gemini\nqwen3\n');
    await assert.rejects(ollama.embed({ model: 'llama-nemotron-embed-vl-1b-v2:free', input: 'x' }), {
      name: 'ResponseError',
      status_code: 400,
      error: 'no free model supports embeddings (2 free models visible; see GET /status)',
    });
  });
});
