// A recorded request sequence of Continue (VS Code / JetBrains), written from the reference document
// (/work/shared/reference/ollama-api.md §3) and replayed through proxy.fetch: the same methods, paths,
// headers and bodies that client sends. The assertions are what that client needs to work.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startProxy } from '../helpers/harness.ts';
import { continueLines, continueParameters, json, lastUpstreamChat, lastUpstreamEmbedding, replay } from '../helpers/fidelity-helpers.ts';
import { FREE_EMBEDDER } from '../helpers/free-mode-helpers.ts';

describe('Continue (core/llm/llms/Ollama.ts)', () => {
  const headers = { 'Content-Type': 'application/json', Accept: '*/*', 'User-Agent': 'node-fetch' };

  test('show with name, chat with num_ctx and keep_alive 1800, tool history without ids, generate, tags, pull', async (t) => {
    const proxy = await startProxy(t);

    const show = await replay(proxy, { method: 'POST', path: '/api/show', headers, body: { name: 'gpt-oss-20b:free' } });
    assert.equal(show.status, 200);
    const shown = json(show);
    const parameters = continueParameters(shown.parameters);
    assert.equal(Number(parameters.get('num_ctx')), 131072);
    // FIM is enabled only when the template has .Suffix: this server does not claim it.
    assert.equal(shown.template.includes('.Suffix'), false);
    assert.equal(shown.template.includes('.Tools'), true);

    const chat = await replay(proxy, {
      method: 'POST', path: '/api/chat', headers,
      body: {
        model: 'gpt-oss-20b:free',
        messages: [{ role: 'system', content: 'You are a coding assistant.' }, { role: 'user', content: 'explain this' }],
        options: { num_ctx: 131072, temperature: 0.1, top_p: 0.9, top_k: 40, num_predict: 4096, stop: ['```'] },
        keep_alive: 1800,
        think: true,
      },
    });
    assert.equal(chat.status, 200);
    const { lines, leftover } = continueLines(chat.text);
    assert.equal(leftover, '', 'the final line ends with \\n, or Continue never parses it');
    for (const line of lines as Array<Record<string, any>>) {
      assert.equal('type' in line, false, 'a top-level type key makes Continue treat the line as an n8n chunk');
      assert.notEqual(line.message.role, 'tool');
    }
    const typed = lines as Array<{ message: { content: string; thinking?: string }; done: boolean }>;
    assert.equal(typed.map((line) => line.message.thinking ?? '').join(''), 'Thinking about: explain this');
    assert.equal(typed.map((line) => line.message.content).join(''), 'Echo: explain this');
    assert.equal(typed.at(-1)?.done, true);
    const upstream = lastUpstreamChat(proxy);
    assert.deepEqual(
      { temperature: upstream.temperature, top_p: upstream.top_p, top_k: upstream.top_k, max_tokens: upstream.max_tokens, stop: upstream.stop, reasoning: upstream.reasoning, num_ctx: upstream.num_ctx },
      { temperature: 0.1, top_p: 0.9, top_k: 40, max_tokens: 4096, stop: ['```'], reasoning: { enabled: true }, num_ctx: undefined },
    );

    // Continue sends earlier tool calls without id or index, and results without tool_name.
    const toolTurn = await replay(proxy, {
      method: 'POST', path: '/api/chat', headers,
      body: {
        model: 'qwen3-coder:free',
        messages: [
          { role: 'user', content: 'read the file' },
          { role: 'assistant', content: '', tool_calls: [{ function: { name: 'read_file', arguments: { filepath: 'a.ts' } } }] },
          { role: 'tool', content: 'export const a = 1;' },
        ],
        options: { num_ctx: 262144 },
        keep_alive: 1800,
        tools: [{ type: 'function', function: { name: 'read_file', description: 'Read a file', parameters: { type: 'object', properties: { filepath: { type: 'string' } } } } }],
      },
    });
    assert.equal(continueLines(toolTurn.text).leftover, '');
    assert.equal(continueLines(toolTurn.text).lines.map((line: any) => line.message.content).join(''), 'Tool result: export const a = 1;');
    assert.deepEqual(lastUpstreamChat(proxy).messages.slice(1), [
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1_0', type: 'function', function: { name: 'read_file', arguments: '{"filepath":"a.ts"}' } }] },
      { role: 'tool', content: 'export const a = 1;', tool_call_id: 'call_1_0' },
    ]);

    // Autocomplete: raw prompt plus suffix; lines carry `response`.
    const completion = await replay(proxy, {
      method: 'POST', path: '/api/generate', headers,
      body: { model: 'qwen3-coder:free', prompt: 'function add(a, b) {\n  ', suffix: '\n}', raw: true, options: { num_ctx: 262144, num_predict: 256, temperature: 0.01, stop: ['\n\n'] }, keep_alive: 1800 },
    });
    const generated = continueLines(completion.text);
    assert.equal(generated.leftover, '');
    assert.ok((generated.lines as Array<{ response: string }>).every((line) => typeof line.response === 'string'));
    assert.match(lastUpstreamChat(proxy).messages[0].content, /^<prefix>function add\(a, b\) \{\n {2}<\/prefix>\n<suffix>\n\}<\/suffix>/);

    const tags = json(await replay(proxy, { method: 'GET', path: '/api/tags', headers }));
    assert.ok(tags.models.some((model: any) => model.name === 'gpt-oss-20b:free'));

    const pull = await replay(proxy, { method: 'POST', path: '/api/pull', headers, body: { name: 'gpt-oss-20b:free' } });
    assert.deepEqual(continueLines(pull.text).lines.at(-1), { status: 'success' });
  });

  test('embeddings: /api/embed with an input list, served in free mode by the free embedding model', async (t) => {
    const proxy = await startProxy(t);
    const embedded = await replay(proxy, { method: 'POST', path: '/api/embed', headers, body: { model: 'llama-nemotron-embed-vl-1b-v2:free', input: ['const a = 1;'] } });
    assert.equal(embedded.status, 200);
    assert.equal(embedded.headers['x-proxy-model'], FREE_EMBEDDER);
    assert.deepEqual(lastUpstreamEmbedding(proxy), { model: FREE_EMBEDDER, input: ['const a = 1;'] });
    assert.equal(json(embedded).embeddings.length, 1);
    assert.ok(json(embedded).embeddings[0].length > 0);
  });
});
