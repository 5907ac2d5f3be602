// A recorded request sequence of VS Code Copilot Chat's Ollama provider, written from the reference document
// (/work/shared/reference/ollama-api.md §3) and replayed through proxy.fetch: the same methods, paths,
// headers and bodies that client sends. The assertions are what that client needs to work.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startProxy } from '../helpers/harness.ts';
import { json, lastUpstreamChat, parseDottedVersion, replay, sseJson, versionAtLeast, WEATHER_TOOL } from '../helpers/fidelity-helpers.ts';

describe('VS Code Copilot Chat, Ollama provider (ollamaProvider.js)', () => {
  const headers = { 'Content-Type': 'application/json', 'User-Agent': 'GitHubCopilotChat/0.30.3' };

  test('version ≥ 0.6.4, tags, show with capabilities and context length, then /v1 chat with tools', async (t) => {
    const proxy = await startProxy(t);

    const { version } = json(await replay(proxy, { method: 'GET', path: '/api/version', headers }));
    // Copilot parses major.minor.patch (three numeric parts, or it gives up) and wants at least 0.6.4.
    assert.match(version, /^\d+\.\d+\.\d+$/);
    assert.ok(versionAtLeast(parseDottedVersion(version), [0, 6, 4]), `${version} ≥ 0.6.4`);

    const models = json(await replay(proxy, { method: 'GET', path: '/api/tags', headers })).models.map((model: any) => model.model as string);
    for (const name of models) {
      const shown = json(await replay(proxy, { method: 'POST', path: '/api/show', headers, body: { model: name } }));
      assert.ok(Array.isArray(shown.capabilities), `${name}: capabilities is an array`);
      assert.equal(typeof shown.model_info, 'object');
      const architecture = shown.model_info['general.architecture'];
      assert.ok(Number.isInteger(shown.model_info[`${architecture}.context_length`]), `${name}: ${architecture}.context_length`);
      // The display name Copilot shows is the name it asked for.
      assert.equal(shown.model_info['general.basename'], name);
    }
    const gemini = json(await replay(proxy, { method: 'POST', path: '/api/show', headers, body: { model: 'gemini-2.0-flash-exp:free' } }));
    assert.ok(gemini.capabilities.includes('tools') && gemini.capabilities.includes('vision'));
    assert.equal(gemini.model_info['gemini.context_length'], 1048576);

    const request = {
      model: 'qwen3-coder:free',
      messages: [{ role: 'system', content: 'You are GitHub Copilot.' }, { role: 'user', content: 'weather in Kyoto' }],
      stream: true,
      tools: [WEATHER_TOOL],
      tool_choice: 'auto',
      temperature: 0.1,
      top_p: 1,
      max_tokens: 4096,
      n: 1,
    };
    const v1Headers = { ...headers, Authorization: 'Bearer ollama', Accept: 'text/event-stream' };
    const streamed = await replay(proxy, { method: 'POST', path: '/v1/chat/completions', headers: v1Headers, body: request });
    assert.equal(streamed.status, 200);
    assert.match(String(streamed.headers['content-type']), /^text\/event-stream/);
    const chunks = sseJson(streamed.text);
    assert.equal(chunks[0].choices[0].delta.role, 'assistant');
    const deltas = chunks.flatMap((chunk) => chunk.choices[0]?.delta?.tool_calls ?? []);
    const id = deltas.find((delta: any) => delta.id)?.id;
    assert.equal(deltas.map((delta: any) => delta.function?.arguments ?? '').join(''), '{"city":"weather in Kyoto","days":42}');
    assert.ok(chunks.some((chunk) => chunk.choices[0]?.finish_reason === 'tool_calls'));
    // Same routing as /api/chat, and the request went upstream as sent.
    assert.deepEqual(lastUpstreamChat(proxy), { ...request, model: 'qwen/qwen3-coder:free' });

    const second = await replay(proxy, {
      method: 'POST', path: '/v1/chat/completions', headers: v1Headers,
      body: {
        ...request,
        messages: [
          ...request.messages,
          { role: 'assistant', content: null, tool_calls: [{ id, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Kyoto"}' } }] },
          { role: 'tool', tool_call_id: id, content: 'sunny' },
        ],
      },
    });
    assert.equal(sseJson(second.text).map((chunk) => chunk.choices[0]?.delta?.content ?? '').join(''), 'Tool result: sunny');
  });
});
