// /v1/responses request → upstream chat request: what each Responses field becomes, and what is refused.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { toChatRequest } from '../../../src/dialects/responses/to-chat-request.ts';
import { HttpError } from '../../../src/errors.ts';

const WEATHER = { type: 'function', name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: true };
const UPSTREAM_WEATHER = { type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: WEATHER.parameters } };
const body = (fields: Record<string, unknown>) => ({ model: 'm', input: 'hi', ...fields });

describe('toChatRequest: conversions', () => {
  const cases: Array<{ name: string; body: Record<string, unknown>; chat: Record<string, unknown> }> = [
    { name: 'a string input, with instructions as the system message', body: body({ instructions: 'be brief' }),
      chat: { messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hi' }] } },
    { name: 'text and image parts; developer → system; assistant text', body: body({ input: [
      { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'rules' }] },
      { role: 'user', content: [{ type: 'input_text', text: 'look' }, { type: 'input_image', image_url: 'data:image/png;base64,AAAA', detail: 'auto' }] },
      { type: 'message', role: 'assistant', id: 'msg_1', status: 'completed', content: [{ type: 'output_text', text: 'seen', annotations: [] }] },
    ] }), chat: { messages: [
      { role: 'system', content: 'rules' },
      { role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }] },
      { role: 'assistant', content: 'seen' },
    ] } },
    { name: 'reasoning rides on the next assistant turn; calls join it; outputs become tool messages', body: body({ input: [
      { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'plan' }], encrypted_content: null },
      { type: 'function_call', id: 'fc_1', status: 'completed', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' },
      { type: 'function_call', call_id: 'call_2', name: 'get_weather', arguments: '{"city":"Rome"}', namespace: 'geo' },
      { type: 'function_call_output', id: 'fco_1', call_id: 'call_1', output: 'cold' },
      { type: 'function_call_output', call_id: 'call_2', output: [{ type: 'input_text', text: 'warm' }] },
    ] }), chat: { messages: [
      { role: 'assistant', content: null, reasoning: 'plan', tool_calls: [
        { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
        { id: 'call_2', type: 'function', function: { name: 'geo__get_weather', arguments: '{"city":"Rome"}' } },
      ] },
      { role: 'tool', tool_call_id: 'call_1', content: 'cold' },
      { role: 'tool', tool_call_id: 'call_2', content: 'warm' },
    ] } },
    { name: 'a custom tool call travels as {"input": ...}', body: body({ input: [
      { type: 'custom_tool_call', call_id: 'call_p', name: 'apply_patch', input: '*** Begin Patch' },
      { type: 'custom_tool_call_output', call_id: 'call_p', output: 'Done' },
    ] }), chat: { messages: [
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_p', type: 'function', function: { name: 'apply_patch', arguments: '{"input":"*** Begin Patch"}' } }] },
      { role: 'tool', tool_call_id: 'call_p', content: 'Done' },
    ] } },
    { name: 'function tools lose strict; tool_choice and parallel_tool_calls go along', body: body({ tools: [WEATHER], tool_choice: { type: 'function', name: 'get_weather' }, parallel_tool_calls: false }),
      chat: { messages: [{ role: 'user', content: 'hi' }], tools: [UPSTREAM_WEATHER], tool_choice: { type: 'function', function: { name: 'get_weather' } }, parallel_tool_calls: false } },
    { name: 'sampling fields and max_output_tokens', body: body({ temperature: 0.5, top_p: 0.8, max_output_tokens: 64 }),
      chat: { messages: [{ role: 'user', content: 'hi' }], temperature: 0.5, top_p: 0.8, max_tokens: 64 } },
    { name: 'reasoning.effort → OpenRouter effort', body: body({ reasoning: { effort: 'high', summary: 'detailed' } }),
      chat: { messages: [{ role: 'user', content: 'hi' }], reasoning: { effort: 'high' } } },
    { name: 'reasoning without effort (Codex sends only summary) → enabled', body: body({ reasoning: { summary: 'auto' } }),
      chat: { messages: [{ role: 'user', content: 'hi' }], reasoning: { enabled: true } } },
    { name: 'text.format json_schema → response_format without strict', body: body({ text: { format: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true }, verbosity: 'low' } }),
      chat: { messages: [{ role: 'user', content: 'hi' }], response_format: { type: 'json_schema', json_schema: { name: 'out', schema: { type: 'object' } } } } },
    { name: 'text.format json_object', body: body({ text: { format: { type: 'json_object' } } }),
      chat: { messages: [{ role: 'user', content: 'hi' }], response_format: { type: 'json_object' } } },
    { name: 'store, include, prompt_cache_key, metadata, user, client_metadata: accepted, not sent', body: body({ store: true, include: ['reasoning.encrypted_content'], prompt_cache_key: 'k', metadata: { a: '1' }, user: 'u', client_metadata: { turn_id: 't' } }),
      chat: { messages: [{ role: 'user', content: 'hi' }] } },
    { name: 'hosted-tool items are skipped', body: body({ input: [{ type: 'web_search_call', id: 'ws_1', status: 'completed', action: { type: 'search', query: 'q' } }, { role: 'user', content: 'go' }] }),
      chat: { messages: [{ role: 'user', content: 'go' }] } },
  ];
  for (const { name, body: request, chat } of cases) {
    test(name, () => assert.deepEqual(toChatRequest(request).chat, { stream_options: { include_usage: true }, ...chat }));
  }

  test('tools: custom and namespaced tools become functions; hosted tools are dropped once per type', () => {
    const converted = toChatRequest(body({ tools: [
      { type: 'custom', name: 'apply_patch', description: 'Edit files', format: { type: 'grammar', syntax: 'lark', definition: 'start: "x"' } },
      { type: 'namespace', name: 'agents', description: 'Sub-agents', tools: [{ type: 'function', name: 'spawn', parameters: { type: 'object', properties: {} } }] },
      { type: 'web_search' }, { type: 'local_shell' }, { type: 'web_search', external_web_access: false },
    ] }));
    assert.deepEqual(converted.chat.tools, [
      { type: 'function', function: { name: 'apply_patch', description: 'Edit files\n\nThe input must follow this lark grammar:\nstart: "x"',
        parameters: { type: 'object', properties: { input: { type: 'string', description: 'The raw input for this tool.' } }, required: ['input'] } } },
      { type: 'function', function: { name: 'agents__spawn', parameters: { type: 'object', properties: {} } } },
    ]);
    assert.deepEqual(converted.droppedTools, ['web_search', 'local_shell']);
    assert.deepEqual([...converted.toolTargets], [['apply_patch', { kind: 'custom', name: 'apply_patch' }], ['agents__spawn', { kind: 'function', name: 'spawn', namespace: 'agents' }]]);
    assert.equal(converted.needs.tools, true);
  });

  test('only hosted tools: no tools and no tool_choice upstream, and the route needs no tool support', () => {
    const converted = toChatRequest(body({ tools: [{ type: 'web_search' }], tool_choice: 'required' }));
    assert.deepEqual(converted.chat, { messages: [{ role: 'user', content: 'hi' }], stream_options: { include_usage: true } });
    assert.equal(converted.needs.tools, false);
  });

  const needsCases: Array<[string, Record<string, unknown>, { vision: boolean; thinking: boolean; stream: boolean }]> = [
    ['plain', body({}), { vision: false, thinking: false, stream: false }],
    ['image and stream', body({ stream: true, input: [{ role: 'user', content: [{ type: 'input_image', image_url: 'https://x/y.png' }] }] }), { vision: true, thinking: false, stream: true }],
    ['effort none', body({ reasoning: { effort: 'none' } }), { vision: false, thinking: false, stream: false }],
    ['effort low', body({ reasoning: { effort: 'low' } }), { vision: false, thinking: true, stream: false }],
  ];
  for (const [name, request, expected] of needsCases) {
    test(`needs: ${name}`, () => {
      const converted = toChatRequest(request);
      assert.deepEqual({ vision: converted.needs.vision, thinking: converted.needs.thinking, stream: converted.stream }, expected);
    });
  }

  test('the echo: request fields as OpenAI returns them, store always false', () => {
    const echo = toChatRequest(body({ instructions: 'i', store: true, metadata: { a: '1' }, text: { format: { type: 'json_object' } } })).echo;
    assert.deepEqual(echo, {
      instructions: 'i', tools: [], tool_choice: 'auto', parallel_tool_calls: true, temperature: null, top_p: null, max_output_tokens: null,
      reasoning: null, text: { format: { type: 'json_object' } }, metadata: { a: '1' }, store: false,
    });
  });
});

describe('toChatRequest: a recorded Codex CLI request', () => {
  test('converts with every function tool, the namespace flattened and web_search dropped', () => {
    const codex = JSON.parse(readFileSync(new URL('../../fixtures/dialects/responses/codex-request.json', import.meta.url), 'utf8'));
    const converted = toChatRequest(codex);
    assert.equal(converted.stream, true);
    assert.deepEqual(converted.chat.messages.map((message) => message.role), ['system', 'system', 'user', 'user']);
    assert.deepEqual(converted.chat.tools?.map((tool) => tool.function.name), [
      'exec_command', 'write_stdin', 'request_user_input', 'view_image',
      'multi_agent_v1__close_agent', 'multi_agent_v1__resume_agent', 'multi_agent_v1__send_input', 'multi_agent_v1__spawn_agent', 'multi_agent_v1__wait_agent',
      'get_goal', 'create_goal', 'update_goal',
    ]);
    assert.deepEqual(converted.droppedTools, ['web_search']);
    assert.equal(converted.chat.tool_choice, 'auto');
    assert.equal(converted.chat.parallel_tool_calls, true);
    assert.deepEqual(converted.chat.reasoning, { enabled: true });
    for (const field of ['store', 'include', 'prompt_cache_key', 'client_metadata', 'input', 'model']) assert.equal(field in converted.chat, false, field);
  });
});

describe('toChatRequest: 400s that name the field', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['no body', undefined, /^missing request body$/],
    ['not an object', [1], /^request body must be a JSON object$/],
    ['no model', { input: 'hi' }, /^model is required$/],
    ['no input', { model: 'm' }, /^input is required$/],
    ['nothing to answer', body({ input: [], instructions: 'be brief' }), /^input must contain at least one item with content$/],
    ['input a number', body({ input: 3 }), /^input must be a string or an array of input items$/],
    ['previous_response_id', body({ previous_response_id: 'resp_1' }), /^previous_response_id is not supported: this server is stateless; send the whole input$/],
    ['conversation', body({ conversation: 'conv_1' }), /this server is stateless; send the whole input/],
    ['item_reference', body({ input: [{ type: 'item_reference', id: 'msg_1' }] }), /^input\[0\] refers to a stored item: this server is stateless/],
    ['an unknown item', body({ input: [{ type: 'banana' }] }), /^input\[0\]\.type 'banana' is not a supported input item$/],
    ['a bad role', body({ input: [{ role: 'robot', content: 'x' }] }), /^input\[0\]\.role must be one of/],
    ['input_file', body({ input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'f' }] }] }), /^input\[0\]\.content\[0\]\.type 'input_file' is not supported/],
    ['an image by file_id', body({ input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'f' }] }] }), /^input\[0\]\.content\[0\]\.image_url is required/],
    ['a call without call_id', body({ input: [{ type: 'function_call', name: 'f', arguments: '{}' }] }), /^input\[0\]\.call_id must be a string$/],
    ['tools not an array', body({ tools: {} }), /^tools must be an array$/],
    ['a nameless tool', body({ tools: [{ type: 'function' }] }), /^tools\[0\]\.name is required$/],
    ['a nameless namespaced tool', body({ tools: [{ type: 'namespace', name: 'n', tools: [{ type: 'function' }] }] }), /^tools\[0\]\.tools\[0\]\.name is required$/],
    ['a bad tool_choice', body({ tools: [WEATHER], tool_choice: 'sometimes' }), /^tool_choice must be/],
    ['stream not boolean', body({ stream: 'yes' }), /^stream must be a boolean$/],
    ['max_output_tokens 0', body({ max_output_tokens: 0 }), /^max_output_tokens must be a positive integer$/],
    ['temperature a string', body({ temperature: 'hot' }), /^temperature must be a number$/],
    ['a bad effort', body({ reasoning: { effort: 'extreme' } }), /^reasoning\.effort must be one of/],
    ['a bad text format', body({ text: { format: { type: 'yaml' } } }), /^text\.format\.type must be/],
    ['json_schema without a schema', body({ text: { format: { type: 'json_schema', name: 'x' } } }), /^text\.format\.schema is required/],
  ];
  for (const [name, request, message] of cases) {
    test(name, () => assert.throws(() => toChatRequest(request), (error: unknown) => error instanceof HttpError && error.status === 400 && message.test(error.message)));
  }
});
