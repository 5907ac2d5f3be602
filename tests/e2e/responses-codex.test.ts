// What Codex CLI sends to /v1/responses (a recorded request), through the proxy and the offline
// OpenRouter: hosted tools dropped with one WARN per type, custom and namespaced tools answered as
// the item types Codex parses from `response.output_item.done`.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { lastUpstreamChat } from '../helpers/fidelity-helpers.ts';
import { post, startProxy } from '../helpers/harness.ts';

const codexRequest = (): Record<string, any> => JSON.parse(readFileSync(new URL('../fixtures/dialects/responses/codex-request.json', import.meta.url), 'utf8'));

interface Event {
  type: string;
  sequence_number: number;
  item?: Record<string, any>;
  response?: Record<string, any>;
}

/** Parses a Responses SSE body, checking each block's `event:` line matches its data's type. */
function events(text: string): Event[] {
  return text.trimEnd().split('\n\n').map((block) => {
    const [eventLine, dataLine] = block.split('\n');
    const data = JSON.parse((dataLine ?? '').replace(/^data: /, '')) as Event;
    assert.equal(eventLine, `event: ${data.type}`);
    return data;
  });
}

const doneItems = (all: Event[]) => all.filter((event) => event.type === 'response.output_item.done').map((event) => event.item);

describe('Codex CLI requests', () => {
  test('the recorded Codex request streams an answer; web_search is dropped with one WARN', async (t) => {
    const proxy = await startProxy(t);
    const request = codexRequest();
    // The fake calls the first tool whenever tools are given and the last turn is the user's.
    request.tools = request.tools.filter((tool: { type: string }) => tool.type !== 'function' && tool.type !== 'namespace');
    request.tools.push({ type: 'web_search', external_web_access: true });
    const reply = await post(proxy, '/v1/responses', request);
    assert.equal(reply.status, 200);
    assert.match(reply.headers.get('content-type') ?? '', /^text\/event-stream/);
    const all = events(reply.text);
    assert.deepEqual(all.map((event) => event.sequence_number), all.map((_, index) => index));
    const completed = all.at(-1);
    assert.equal(completed?.type, 'response.completed');
    assert.deepEqual(Object.keys(completed?.response?.usage ?? {}), ['input_tokens', 'input_tokens_details', 'output_tokens', 'output_tokens_details', 'total_tokens']);
    // Codex asks for reasoning summaries, so a thinking model is preferred and its reasoning comes first.
    assert.deepEqual(doneItems(all).map((item) => item?.type), ['reasoning', 'message']);
    assert.equal('tools' in lastUpstreamChat(proxy), false);
    const warnings = proxy.logs.filter((line) => line.includes('"WARN"') && line.includes('dropped a tool type'));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /"type":"web_search"/);
  });

  test('a namespaced Codex tool is called as function_call with its namespace, and the call goes back in', async (t) => {
    const proxy = await startProxy(t);
    const request = codexRequest();
    request.tools = request.tools.filter((tool: { type: string }) => tool.type === 'namespace');
    const first = events((await post(proxy, '/v1/responses', request)).text);
    const call = doneItems(first).find((item) => item?.type === 'function_call');
    assert.deepEqual([call?.namespace, call?.name], ['multi_agent_v1', 'close_agent']);
    assert.equal(lastUpstreamChat(proxy).tools[0].function.name, 'multi_agent_v1__close_agent');

    request.input.push(call, { type: 'function_call_output', call_id: call?.call_id, output: 'closed' });
    const second = events((await post(proxy, '/v1/responses', request)).text);
    assert.equal(doneItems(second).find((item) => item?.type === 'message')?.content[0].text, 'Tool result: closed');
    const sent = lastUpstreamChat(proxy).messages.at(-2);
    assert.equal(sent.tool_calls[0].function.name, 'multi_agent_v1__close_agent');
  });

  test('a custom (freeform) tool comes back as custom_tool_call with the raw input, streamed and not', async (t) => {
    const proxy = await startProxy(t);
    const request = {
      model: 'gpt-oss:20b', input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: '*** Begin Patch' }] }],
      tools: [{ type: 'custom', name: 'apply_patch', description: 'Edit files', format: { type: 'grammar', syntax: 'lark', definition: 'start: /.+/' } }],
      tool_choice: 'auto', parallel_tool_calls: false, store: false, include: [],
    };
    const streamed = doneItems(events((await post(proxy, '/v1/responses', { ...request, stream: true })).text));
    assert.deepEqual(streamed.map((item) => [item?.type, item?.name, item?.input]), [['custom_tool_call', 'apply_patch', '*** Begin Patch']]);
    assert.match(streamed[0]?.id, /^ctc_/);
    const collected = (await post(proxy, '/v1/responses', request)).json();
    assert.deepEqual(collected.output.map((item: Record<string, unknown>) => [item.type, item.name, item.input]), [['custom_tool_call', 'apply_patch', '*** Begin Patch']]);
    assert.deepEqual(lastUpstreamChat(proxy).tools[0].function.parameters.required, ['input']);
  });

  test('a length cut ends with response.completed, status incomplete', async (t) => {
    const proxy = await startProxy(t);
    const all = events((await post(proxy, '/v1/responses', { model: 'gpt-4o', input: 'one two three four', max_output_tokens: 2, stream: true })).text);
    const completed = all.at(-1);
    assert.equal(completed?.type, 'response.completed');
    assert.deepEqual([completed?.response?.status, completed?.response?.incomplete_details], ['incomplete', { reason: 'max_output_tokens' }]);
  });

  test('every model failing before the answer: an OpenAI-shaped error, not a stream', async (t) => {
    const proxy = await startProxy(t, { env: { FREE_MODE: 'false' } });
    proxy.fake.script('openai/gpt-4o', { kind: 'http', status: 429 });
    const reply = await post(proxy, '/v1/responses', { model: 'gpt-4o', input: 'hi', stream: true });
    assert.equal(reply.status, 429);
    assert.equal(reply.json().error.type, 'rate_limit_error');
  });
});
