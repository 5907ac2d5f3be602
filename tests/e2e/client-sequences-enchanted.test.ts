// A recorded request sequence of Enchanted (iOS/macOS, via OllamaKit), written from the reference document
// (/work/shared/reference/ollama-api.md §3) and replayed through proxy.fetch: the same methods, paths,
// headers and bodies that client sends. The assertions are what that client needs to work.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startProxy } from '../helpers/harness.ts';
import { json, lastUpstreamChat, ndjsonLines, PNG_BASE64, replay, RFC3339 } from '../helpers/fidelity-helpers.ts';

describe('Enchanted (OllamaKit 0079411)', () => {
  // OllamaKit always sends a bearer header, even with no token configured.
  const headers = { Authorization: 'Bearer ', 'Content-Type': 'application/json', Accept: '*/*', 'User-Agent': 'Enchanted/1 CFNetwork/1568.100.1 Darwin/24.0.0' };

  test('HEAD /, tags decoding, a streamed chat whose every read holds whole lines', async (t) => {
    const proxy = await startProxy(t);

    const reachable = await replay(proxy, { method: 'HEAD', path: '/', headers });
    assert.equal(reachable.status, 200);
    assert.equal(reachable.text, '');

    const tags = await replay(proxy, { method: 'GET', path: '/api/tags', headers });
    assert.equal(tags.status, 200);
    for (const model of json(tags).models) {
      // Swift Decodable: one bad entry fails the whole list.
      for (const key of ['name', 'model', 'digest']) assert.equal(typeof model[key], 'string', key);
      assert.ok(Number.isInteger(model.size));
      assert.match(model.modified_at, RFC3339);
      assert.equal(typeof model.details.parent_model, 'string');
      assert.equal(typeof model.details.format, 'string');
      assert.ok(Array.isArray(model.details.families));
    }
    const vision = json(tags).models.filter((model: any) => model.details.families.includes('clip')).map((model: any) => model.name);
    assert.deepEqual(vision, ['gemini-2.0-flash-exp:free', 'mistral-small-3.1-24b-instruct:free']);

    const chat = await replay(proxy, {
      method: 'POST', path: '/api/chat', headers,
      body: {
        model: 'llama-3.3-70b-instruct:free',
        messages: [{ role: 'system', content: 'Be concise.', images: [] }, { role: 'user', content: 'count [chunks=300]', images: [] }],
        stream: true,
        options: { temperature: 0 },
      },
    });
    assert.equal(chat.status, 200);
    assert.ok(chat.reads.length > 1);
    for (const read of chat.reads) {
      assert.ok(read.endsWith('\n'), `a read ends inside a line: ${JSON.stringify(read.slice(-40))}`);
      for (const line of read.slice(0, -1).split('\n')) {
        const chunk = JSON.parse(line);
        assert.equal(typeof chunk.model, 'string');
        assert.ok(['system', 'assistant', 'user'].includes(chunk.message.role));
        assert.equal(typeof chunk.message.content, 'string');
      }
    }
    const lines = ndjsonLines(chat);
    assert.equal(lines.map((line) => line.message.content).join(''), Array.from({ length: 300 }, (_, i) => `tok${i} `).join(''));
    // Empty images arrays stay plain text upstream.
    assert.deepEqual(lastUpstreamChat(proxy).messages, [{ role: 'system', content: 'Be concise.' }, { role: 'user', content: 'count [chunks=300]' }]);

    const picture = await replay(proxy, {
      method: 'POST', path: '/api/chat', headers,
      body: { model: 'gemini-2.0-flash-exp:free', messages: [{ role: 'user', content: 'what is it?', images: [PNG_BASE64] }], stream: true, options: { temperature: 0 } },
    });
    assert.equal(ndjsonLines(picture).map((line) => line.message.content).join(''), 'Echo: what is it?');
  });
});
