import assert from 'node:assert/strict';
import { test } from 'node:test';
import { argsDirective, toolCallDirectives, toolNameDirective } from '../../src/fake-openrouter/tool-directives.ts';
import { chat, sseEvents, startFake } from './helpers.ts';
import type { Json } from './helpers.ts';

const nameCases: Array<[string, string | undefined]> = [
  ['no directive', undefined],
  ['[tool=Bash]', 'Bash'],
  ['please [tool=mcp__fs__read_file] now [tool=Other]', 'mcp__fs__read_file'],
  ['[tool=]', undefined],
  ['[tool=two words]', undefined],
];

test('toolNameDirective reads the first [tool=NAME]', () => {
  for (const [text, expected] of nameCases) assert.equal(toolNameDirective(text), expected, text);
});

const argsCases: Array<[string, string | undefined]> = [
  ['nothing here', undefined],
  ['[args={"command":"ls -la"}]', '{"command":"ls -la"}'],
  ['x [args={ "a": {"b": [1, 2]}, "c": "}]" }] y', '{"a":{"b":[1,2]},"c":"}]"}'],
  ['[args={"q":"say \\"hi\\" {"}]', '{"q":"say \\"hi\\" {"}'],
  ['[args={"a":1,}]', '{"a":1,}'],
  ['[args={"open": 1] then [args={"b":2}]', '{"b":2}'],
  ['[args=[1,2]]', undefined],
  ['[args={"a":1}', undefined],
];

test('argsDirective returns compact JSON, or the raw text when it does not parse', () => {
  for (const [text, expected] of argsCases) assert.equal(argsDirective(text), expected, text);
});

const callCases: Array<[string, Array<{ name: string; args?: string }>]> = [
  ['none', []],
  ['[tool=a]', [{ name: 'a' }]],
  ['[tool=a] [args={"x": 1}] and [tool=b][args={"y":"2"}]', [{ name: 'a', args: '{"x":1}' }, { name: 'b', args: '{"y":"2"}' }]],
  ['[tool=a] then words [args={"x":1}] [tool=b]', [{ name: 'a' }, { name: 'b' }]],
];

test('toolCallDirectives pairs each [tool=NAME] with the [args=...] right after it', () => {
  for (const [text, expected] of callCases) assert.deepEqual(toolCallDirectives(text), expected, text);
});

test('several [tool=NAME][args=...] pairs are parallel calls, streamed one after the other', async (t) => {
  const fake = await startFake(t);
  const prompt = '[tool=Bash][args={"command":"echo a"}] [tool=Read][args={"command":"b"}]';
  const text = await (await chat(fake, agentRequest(prompt, { stream: true }))).text();
  const fragments = sseEvents(text).flatMap((e) => e['choices']?.[0]?.['delta']?.['tool_calls'] ?? []);
  const joined = [0, 1].map((index) => fragments.filter((f: Json) => f['index'] === index).map((f: Json) => f['function']['arguments']).join(''));
  assert.deepEqual(fragments.filter((f: Json) => f['function']['name'] !== undefined).map((f: Json) => f['function']['name']), ['Bash', 'Read']);
  assert.deepEqual(joined, ['{"command":"echo a"}', '{"command":"b"}']);
});

// Shaped like what an agent CLI sends: many tools, a long system prompt, the prompt wrapped in extra text parts.
const TOOLS = ['Task', 'Bash', 'Glob', 'Grep', 'Read', 'Edit', 'Write', 'WebFetch'].map((name) => ({
  type: 'function',
  function: { name, parameters: { type: 'object', properties: { command: { type: 'string' }, timeout: { type: 'number' } } } },
}));

function agentRequest(prompt: string, extra: Json = {}): Json {
  return {
    model: 'anthropic/claude-sonnet-4',
    tools: TOOLS,
    messages: [
      { role: 'system', content: `You are an agent. ${'Follow the rules. '.repeat(200)}` },
      { role: 'user', content: [
        { type: 'text', text: '<system-reminder>The user has these files open.</system-reminder>' },
        { type: 'text', text: prompt },
        { type: 'text', text: '<system-reminder>Do what was asked, nothing more.</system-reminder>' },
      ] },
    ],
    ...extra,
  };
}

test('[tool=NAME] and [args={...}] choose the call of a non-streamed agent turn', async (t) => {
  const fake = await startFake(t);
  const body = (await (await chat(fake, agentRequest('list files [tool=Bash] [args={"command": "ls -la", "timeout": 5}]'))).json()) as Json;
  const choice = body['choices'][0];
  assert.equal(choice['finish_reason'], 'tool_calls');
  assert.equal(choice['message']['content'], null);
  assert.equal(choice['message']['tool_calls'].length, 1);
  assert.deepEqual(choice['message']['tool_calls'][0]['function'], { name: 'Bash', arguments: '{"command":"ls -la","timeout":5}' });
});

test('the directives stream as one call whose argument fragments join to the exact arguments', async (t) => {
  const fake = await startFake(t);
  const text = await (await chat(fake, agentRequest('[tool=Grep][args={"pattern":"TODO","path":"src"}]', { stream: true }))).text();
  const calls = sseEvents(text).flatMap((e) => e['choices']?.[0]?.['delta']?.['tool_calls'] ?? []);
  assert.equal(calls[0]['function']['name'], 'Grep');
  assert.ok(calls.every((c: Json) => c['index'] === 0));
  assert.equal(calls.map((c: Json) => c['function']['arguments']).join(''), '{"pattern":"TODO","path":"src"}');
});

test('without [tool=], [args=] replaces the generated arguments of the first tool; [tool=] may name an unknown tool', async (t) => {
  const fake = await startFake(t);
  const first = (await (await chat(fake, agentRequest('[args={"description":"x"}]'))).json()) as Json;
  assert.deepEqual(first['choices'][0]['message']['tool_calls'][0]['function'], { name: 'Task', arguments: '{"description":"x"}' });
  const request = agentRequest('[tool=Read] go');
  const generated = (await (await chat(fake, request)).json()) as Json;
  // Generated string arguments are the whole last user text: every text part, joined with "\n".
  const userText = request['messages'][1]['content'].map((part: Json) => part['text']).join('\n');
  assert.deepEqual(generated['choices'][0]['message']['tool_calls'][0]['function'],
    { name: 'Read', arguments: JSON.stringify({ command: userText, timeout: 42 }) });
  const invented = (await (await chat(fake, agentRequest('[tool=Teleport]'))).json()) as Json;
  assert.deepEqual(invented['choices'][0]['message']['tool_calls'][0]['function'], { name: 'Teleport', arguments: '{}' });
});

test('after the tool result comes back the turn ends with "Tool result: ...", a trailing system note notwithstanding', async (t) => {
  const fake = await startFake(t);
  const request = agentRequest('[tool=Bash] [args={"command":"pwd"}]');
  const turn = (await (await chat(fake, request)).json()) as Json;
  const call = turn['choices'][0]['message']['tool_calls'][0];
  request['messages'].push(
    { role: 'assistant', content: null, tool_calls: [{ id: call['id'], type: 'function', function: call['function'] }] },
    { role: 'tool', tool_call_id: call['id'], content: '/work' },
    { role: 'system', content: '# Environment: tokens left 9000' },
  );
  const next = (await (await chat(fake, request)).json()) as Json;
  assert.equal(next['choices'][0]['finish_reason'], 'stop');
  assert.equal(next['choices'][0]['message']['content'], 'Tool result: /work');
});
