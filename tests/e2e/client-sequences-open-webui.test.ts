// A recorded request sequence of Open WebUI, written from the reference document
// (/work/shared/reference/ollama-api.md §3) and replayed through proxy.fetch: the same methods, paths,
// headers and bodies that client sends. The assertions are what that client needs to work.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startProxy } from '../helpers/harness.ts';
import {
  json, JSON_TYPE, lastUpstreamChat, lastUpstreamEmbedding, ndjsonLines, parseDottedVersion, replay, RFC3339, versionAtLeast, WEATHER_TOOL,
} from '../helpers/fidelity-helpers.ts';
import { FREE_EMBEDDER } from '../helpers/free-mode-helpers.ts';

/** Open WebUI's rule before routing chat, generate and embed: a name without a colon gets ":latest". */
function openWebUIModelId(name: string): string {
  return name.includes(':') ? name : `${name}:latest`;
}

describe('Open WebUI (aiohttp; routers/ollama.py)', () => {
  // aiohttp's own headers, plus the Content-Type Open WebUI sets even on GET.
  const headers = {
    'Content-Type': 'application/json',
    Accept: '*/*',
    'Accept-Encoding': 'gzip, deflate',
    'User-Agent': 'Python/3.12 aiohttp/3.11.18',
    Authorization: 'Bearer owui-configured-key',
    'X-OpenWebUI-User-Name': 'Ada',
    'X-OpenWebUI-User-Id': '2f1c6a3e',
    'X-OpenWebUI-User-Email': 'ada@example.com',
    'X-OpenWebUI-User-Role': 'admin',
  };

  test('version check, tags, ps, show, chat with tools, a :latest name, unload', async (t) => {
    const proxy = await startProxy(t);

    const version = await replay(proxy, { method: 'GET', path: '/api/version', headers });
    assert.equal(version.headers['content-type'], JSON_TYPE);
    assert.ok(versionAtLeast(parseDottedVersion(json(version).version), [0, 1, 0]));

    const tags = await replay(proxy, { method: 'GET', path: '/api/tags', headers });
    assert.equal(tags.headers['content-type'], JSON_TYPE);
    const models = json(tags).models as Array<Record<string, any>>;
    assert.ok(models.length > 0);
    for (const model of models) {
      // Open WebUI keys models by `model` and appends ":latest" to names without a colon.
      assert.match(model.model, /:/);
      assert.equal(typeof model.name, 'string');
      assert.equal(typeof model.details.parameter_size, 'string');
      assert.equal(typeof model.details.quantization_level, 'string');
      assert.ok(Number.isInteger(model.size));
    }
    const ids = models.map((model) => model.model);

    // A user model saved as "quasar-alpha" is sent as "quasar-alpha:latest", which must be listed.
    const quasar = openWebUIModelId('quasar-alpha');
    assert.ok(ids.includes(quasar));

    const show = await replay(proxy, { method: 'POST', path: '/api/show', headers, body: { model: 'qwen3-coder:free' } });
    assert.equal(show.headers['content-type'], JSON_TYPE);
    assert.deepEqual(json(show).capabilities, ['completion', 'tools']);

    // Streamed chat with tools, read line by line (aiohttp readline + json.loads).
    const chatBody = {
      model: 'qwen3-coder:free',
      messages: [{ role: 'system', content: 'You are helpful.' }, { role: 'user', content: 'Lisbon' }],
      stream: true,
      options: { num_ctx: 8192, num_predict: 512, temperature: 0.7, stop: ['<|im_end|>'] },
      keep_alive: '5m',
      tools: [WEATHER_TOOL],
    };
    const streamed = await replay(proxy, { method: 'POST', path: '/api/chat', headers, body: chatBody });
    assert.equal(streamed.status, 200);
    assert.equal(streamed.headers['content-type'], 'application/x-ndjson');
    const lines = ndjsonLines(streamed);
    const calls = lines.flatMap((line) => line.message?.tool_calls ?? []);
    assert.equal(calls.length, 1);
    assert.match(calls[0].id, /^call_/);
    assert.deepEqual(calls[0].function, { index: 0, name: 'get_weather', arguments: { city: 'Lisbon', days: 42 } });
    const final = lines.at(-1);
    assert.equal(final.done, true);
    for (const key of ['prompt_eval_count', 'eval_count', 'eval_duration', 'prompt_eval_duration', 'total_duration', 'load_duration']) {
      assert.ok(Number.isInteger(final[key]), `${key} for Open WebUI's usage`);
    }

    // The second turn, as Open WebUI sends it: the call with index and id, the result with tool_call_id.
    const followUp = {
      model: 'qwen3-coder:free',
      stream: false,
      messages: [
        ...chatBody.messages,
        { role: 'assistant', content: '', tool_calls: [{ index: 0, id: calls[0].id, function: { name: 'get_weather', arguments: { city: 'Lisbon', days: 42 } } }] },
        { role: 'tool', tool_call_id: calls[0].id, content: '{"temp": 19}' },
      ],
      tools: [WEATHER_TOOL],
    };
    const answered = await replay(proxy, { method: 'POST', path: '/api/chat', headers, body: followUp });
    assert.equal(answered.headers['content-type'], JSON_TYPE);
    assert.equal(json(answered).message.content, 'Tool result: {"temp": 19}');
    assert.deepEqual(lastUpstreamChat(proxy).messages.slice(2), [
      { role: 'assistant', content: null, tool_calls: [{ id: calls[0].id, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Lisbon","days":42}' } }] },
      { role: 'tool', content: '{"temp": 19}', tool_call_id: calls[0].id },
    ]);

    const viaLatest = await replay(proxy, { method: 'POST', path: '/api/chat', headers, body: { model: quasar, stream: false, messages: [{ role: 'user', content: 'hi' }] } });
    assert.equal(json(viaLatest).model, 'quasar-alpha:latest');
    assert.equal(lastUpstreamChat(proxy).model, 'openrouter/quasar-alpha');

    const ps = await replay(proxy, { method: 'GET', path: '/api/ps', headers });
    assert.equal(ps.headers['content-type'], JSON_TYPE);
    const loaded = json(ps).models as Array<Record<string, any>>;
    assert.deepEqual(loaded.map((model) => model.model).sort(), ['quasar-alpha:latest', 'qwen3-coder:free']);
    for (const model of loaded) {
      assert.ok(ids.includes(model.model), 'ps entries match /api/tags ids');
      assert.match(model.expires_at, RFC3339);
    }

    // The "unload" button.
    const unload = await replay(proxy, { method: 'POST', path: '/api/generate', headers, body: { model: 'qwen3-coder:free', keep_alive: 0, prompt: '' } });
    assert.equal(unload.headers['content-type'], JSON_TYPE);
    assert.equal(json(unload).done_reason, 'unload');
    assert.deepEqual(json(await replay(proxy, { method: 'GET', path: '/api/ps', headers })).models.map((m: any) => m.model), ['quasar-alpha:latest']);

    // Errors are JSON too, or aiohttp's response.json() raises.
    const missing = await replay(proxy, { method: 'POST', path: '/api/show', headers, body: { model: 'not-listed:latest' } });
    assert.equal(missing.status, 404);
    assert.equal(missing.headers['content-type'], JSON_TYPE);
    assert.deepEqual(json(missing), { error: "model 'not-listed:latest' not found" });
  });

  test('RAG embeddings: /api/embed with truncate, served in free mode by the free embedding model', async (t) => {
    const proxy = await startProxy(t);
    const embedded = await replay(proxy, {
      method: 'POST', path: '/api/embed', headers,
      body: { input: ['chunk one', 'chunk two'], model: openWebUIModelId('llama-nemotron-embed-vl-1b-v2:free'), truncate: true },
    });
    assert.equal(embedded.status, 200);
    assert.equal(embedded.headers['content-type'], JSON_TYPE);
    assert.equal(embedded.headers['x-proxy-model'], FREE_EMBEDDER);
    const body = json(embedded);
    assert.equal(body.model, 'llama-nemotron-embed-vl-1b-v2:free');
    assert.equal(body.embeddings.length, 2);
    assert.equal(body.embeddings[0].length, 16);
    assert.deepEqual(lastUpstreamEmbedding(proxy), { model: FREE_EMBEDDER, input: ['chunk one', 'chunk two'] });
  });
});
