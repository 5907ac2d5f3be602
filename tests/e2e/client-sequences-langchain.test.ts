// A recorded request sequence of LangChain JS (@langchain/ollama), written from the reference document
// (/work/shared/reference/ollama-api.md §3) and replayed through proxy.fetch: the same methods, paths,
// headers and bodies that client sends. The assertions are what that client needs to work.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startProxy } from '../helpers/harness.ts';
import { lastUpstreamChat, ndjsonLines, PNG_BASE64, replay, WEATHER_TOOL } from '../helpers/fidelity-helpers.ts';

describe('LangChain JS (@langchain/ollama, on ollama-js)', () => {
  const headers = { 'Content-Type': 'application/json', Accept: 'application/json', 'User-Agent': 'ollama-js/0.6.4 (x64 linux Node.js/v24.21.0)' };

  test('tool results without tool_name or id, images as separate empty user turns, counts only on the final chunk', async (t) => {
    const proxy = await startProxy(t);
    const chat = await replay(proxy, {
      method: 'POST', path: '/api/chat', headers,
      body: {
        model: 'mistral-small-3.1-24b-instruct:free',
        stream: true,
        messages: [
          { role: 'user', content: 'weather here?' },
          { role: 'user', content: '', images: [PNG_BASE64] },
          { role: 'assistant', content: '', tool_calls: [{ id: 'lc-1', type: 'function', function: { name: 'get_weather', arguments: { city: 'Nice' } } }] },
          { role: 'tool', content: '24 degrees' },
        ],
        tools: [WEATHER_TOOL],
      },
    });
    const lines = ndjsonLines(chat);
    assert.equal(lines.map((line) => line.message.content).join(''), 'Tool result: 24 degrees');
    // LangChain sums the counts over every chunk, so only the final one may carry them.
    const total = lines.reduce((sum, line) => sum + (line.eval_count ?? 0), 0);
    assert.equal(total, lines.at(-1).eval_count);
    assert.deepEqual(lastUpstreamChat(proxy).messages.slice(1), [
      { role: 'user', content: [{ type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_BASE64}` } }] },
      { role: 'assistant', content: null, tool_calls: [{ id: 'lc-1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Nice"}' } }] },
      { role: 'tool', content: '24 degrees', tool_call_id: 'lc-1' },
    ]);
  });
});
