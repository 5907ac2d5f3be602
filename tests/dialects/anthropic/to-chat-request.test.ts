import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { toChatRequest } from '../../../src/dialects/anthropic/to-chat-request.ts';
import { HttpError } from '../../../src/errors.ts';

const base = { model: 'claude-haiku-4-5', max_tokens: 100 };
const user = (content: unknown) => ({ ...base, messages: [{ role: 'user', content }] });
const OPTIONS = { stream_options: { include_usage: true } };

describe('toChatRequest: conversions', () => {
  const cases: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
    ['string content', user('hi'), { messages: [{ role: 'user', content: 'hi' }], max_tokens: 100, ...OPTIONS }],
    ['system string and text blocks; cache_control ignored', {
      ...user('hi'), system: [{ type: 'text', text: 'a', cache_control: { type: 'ephemeral' } }, { type: 'text', text: 'b' }],
    }, { messages: [{ role: 'system', content: 'a\nb' }, { role: 'user', content: 'hi' }], max_tokens: 100, ...OPTIONS }],
    ['text blocks join into one string', user([{ type: 'text', text: '<reminder>' }, { type: 'text', text: 'do it' }]), {
      messages: [{ role: 'user', content: '<reminder>\ndo it' }], max_tokens: 100, ...OPTIONS,
    }],
    ['system turns inside messages (Claude Code) stay where they occurred; the leading one is `system` alone; extra keys ignored', {
      ...base,
      system: 'main',
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'system', content: [{ type: 'text', text: 'be terse', cache_control: {} }], output_config: { effort: 'low' } },
        { role: 'assistant', content: 'ok' },
        { role: 'system', content: 'note' },
      ],
    }, {
      messages: [{ role: 'system', content: 'main' }, { role: 'user', content: 'hi' }, { role: 'system', content: 'be terse' }, { role: 'assistant', content: 'ok' }, { role: 'system', content: 'note' }],
      max_tokens: 100,
      ...OPTIONS,
    }],
    ['a late system turn without a `system` field stays late', { ...base, messages: [{ role: 'user', content: 'hi' }, { role: 'system', content: 'late' }] }, {
      messages: [{ role: 'user', content: 'hi' }, { role: 'system', content: 'late' }], max_tokens: 100, ...OPTIONS,
    }],
    ['a system turn between a tool call and its result follows the result', {
      ...base,
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'ls', input: {} }] },
        { role: 'system', content: 'tokens left: 9000' },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'a.txt' }, { type: 'text', text: 'and?' }] },
      ],
    }, {
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'ls', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'toolu_1', content: 'a.txt' },
        { role: 'system', content: 'tokens left: 9000' },
        { role: 'user', content: 'and?' },
      ],
      max_tokens: 100, ...OPTIONS,
    }],
    ['sampling and stop sequences; metadata is not forwarded', { ...user('x'), temperature: 0, top_p: 0.5, top_k: 3, stop_sequences: ['Z'], metadata: { user_id: 'u' } }, {
      messages: [{ role: 'user', content: 'x' }], max_tokens: 100, temperature: 0, top_p: 0.5, top_k: 3, stop: ['Z'], ...OPTIONS,
    }],
    ['tool_use and thinking in history; redacted thinking dropped', {
      ...base,
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: [
          { type: 'thinking', thinking: 'plan', signature: 's' },
          { type: 'redacted_thinking', data: 'opaque' },
          { type: 'text', text: 'calling' },
          { type: 'tool_use', id: 'toolu_1', name: 'ls', input: { dir: '.' } },
        ] },
        { role: 'user', content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: 'a.ts', is_error: true },
          { type: 'text', text: 'next' },
        ] },
      ],
    }, {
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: 'calling', reasoning: 'plan', tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'ls', arguments: '{"dir":"."}' } }] },
        { role: 'tool', tool_call_id: 'toolu_1', content: 'Error: a.ts' },
        { role: 'user', content: 'next' },
      ],
      max_tokens: 100,
      ...OPTIONS,
    }],
    ['a tool result with an image: text to the tool, the image to a user turn', user([
      { type: 'tool_result', tool_use_id: 't', content: [{ type: 'text', text: 'shot' }, { type: 'image', source: { type: 'url', url: 'https://x/y.png' } }] },
    ]), {
      messages: [{ role: 'tool', tool_call_id: 't', content: 'shot' }, { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] }],
      max_tokens: 100,
      ...OPTIONS,
    }],
    ['tools and tool_choice tool; server tools dropped', {
      ...user('x'),
      tools: [{ name: 'f', description: 'does f', input_schema: { type: 'object' }, defer_loading: true }, { type: 'web_search_20250305', name: 'web_search', max_uses: 2 }],
      tool_choice: { type: 'tool', name: 'f', disable_parallel_tool_use: true },
    }, {
      messages: [{ role: 'user', content: 'x' }], max_tokens: 100,
      tools: [{ type: 'function', function: { name: 'f', description: 'does f', parameters: { type: 'object' } } }],
      tool_choice: { type: 'function', function: { name: 'f' } }, parallel_tool_calls: false, ...OPTIONS,
    }],
    ['tool_choice none', { ...user('x'), tools: [{ name: 'f', input_schema: {} }], tool_choice: { type: 'none' } }, {
      messages: [{ role: 'user', content: 'x' }], max_tokens: 100, tools: [{ type: 'function', function: { name: 'f', parameters: {} } }], tool_choice: 'none', ...OPTIONS,
    }],
    ['thinking with a budget', { ...user('x'), thinking: { type: 'enabled', budget_tokens: 1024 } }, {
      messages: [{ role: 'user', content: 'x' }], max_tokens: 100, reasoning: { max_tokens: 1024 }, ...OPTIONS,
    }],
    ['adaptive thinking with Claude Code effort', { ...user('x'), thinking: { type: 'adaptive', display: 'omitted' }, output_config: { effort: 'medium' }, context_management: { edits: [] } }, {
      messages: [{ role: 'user', content: 'x' }], max_tokens: 100, reasoning: { effort: 'medium' }, ...OPTIONS,
    }],
    ['thinking between tools', { ...user('x'), thinking: { type: 'between_tools' } }, {
      messages: [{ role: 'user', content: 'x' }], max_tokens: 100, reasoning: { enabled: true }, ...OPTIONS,
    }],
    ['structured output', { ...user('x'), output_config: { format: { type: 'json_schema', schema: { type: 'object' } } } }, {
      messages: [{ role: 'user', content: 'x' }], max_tokens: 100, response_format: { type: 'json_schema', json_schema: { name: 'output', schema: { type: 'object' } } }, ...OPTIONS,
    }],
    ['thinking disabled', { ...user('x'), thinking: { type: 'disabled' } }, { messages: [{ role: 'user', content: 'x' }], max_tokens: 100, ...OPTIONS }],
  ];
  for (const [name, body, chat] of cases) {
    test(name, () => assert.deepEqual(toChatRequest(body).chat, chat));
  }

  test('needs, stream flag, requested model and dropped server tools', () => {
    const plan = toChatRequest({
      ...user([{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBOR' } }]),
      stream: true,
      tools: [{ name: 'f', input_schema: {} }, { type: 'web_search_20250305', name: 'web_search' }, { type: 'web_fetch_20250910', name: 'web_fetch' }],
      thinking: { type: 'adaptive' },
    });
    assert.deepEqual(
      { model: plan.requestedModel, stream: plan.stream, needs: plan.needs, dropped: plan.droppedServerTools },
      { model: 'claude-haiku-4-5', stream: true, needs: { kind: 'chat', tools: true, vision: true, thinking: true }, dropped: ['web_search_20250305', 'web_fetch_20250910'] },
    );
    assert.deepEqual(plan.chat.messages[0]?.content, [{ type: 'image_url', image_url: { url: 'data:image/png;base64,iVBOR' } }]);
  });

  test('only server tools: no tools and no tool_choice go upstream', () => {
    const plan = toChatRequest({ ...user('x'), tools: [{ type: 'web_search_20250305', name: 'web_search' }], tool_choice: { type: 'any' } });
    assert.equal(plan.chat.tools, undefined);
    assert.equal(plan.chat.tool_choice, undefined);
    assert.equal(plan.needs.tools, false);
  });

  test('count_tokens bodies need no max_tokens', () => {
    assert.equal(toChatRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, { requireMaxTokens: false }).chat.max_tokens, undefined);
  });
});

describe('toChatRequest: a bad field is a 400 naming it', () => {
  const cases: Array<[unknown, RegExp]> = [
    [undefined, /missing request body/],
    [[], /JSON object/],
    [{ max_tokens: 1, messages: [] }, /^model must be/],
    [{ model: 'm', messages: [{ role: 'user', content: 'x' }] }, /^max_tokens must be a positive integer/],
    [{ ...base, max_tokens: 1.5, messages: [{ role: 'user', content: 'x' }] }, /^max_tokens/],
    [{ ...base, messages: [] }, /^messages must be a non-empty array/],
    [{ ...base, system: 'be brief', messages: [{ role: 'user', content: [] }] }, /^messages must be at least one message with content/],
    [{ ...base, messages: 'hi' }, /^messages must be an array/],
    [{ ...base, messages: [{ role: 'tool', content: 'x' }] }, /^messages\[0\]\.role must be/],
    [{ ...base, messages: [{ role: 'user', content: 5 }] }, /^messages\[0\]\.content must be/],
    [user([{ type: 'video' }]), /^messages\[0\]\.content\[0\]\.type must be/],
    [user([{ type: 'text' }]), /^messages\[0\]\.content\[0\]\.text must be a string/],
    [user([{ type: 'image', source: { type: 'file', file_id: 'f' } }]), /^messages\[0\]\.content\[0\]\.source\.type must be/],
    [user([{ type: 'tool_result', content: 'x' }]), /^messages\[0\]\.content\[0\]\.tool_use_id/],
    [{ ...base, messages: [{ role: 'assistant', content: [{ type: 'tool_use', id: 'a', name: 'f', input: [] }] }] }, /^messages\[0\]\.content\[0\]\.input must be an object/],
    [{ ...user('x'), system: [{ type: 'image' }] }, /^system\[0\] must be a text block/],
    [{ ...user('x'), stream: 'yes' }, /^stream must be a boolean/],
    [{ ...user('x'), tools: [{ name: 'f' }] }, /^tools\[0\]\.input_schema must be an object/],
    [{ ...user('x'), tools: [{ name: 'f', input_schema: {} }], tool_choice: { type: 'sometimes' } }, /^tool_choice\.type must be/],
    [{ ...user('x'), tools: [{ name: 'f', input_schema: {} }], tool_choice: { type: 'tool' } }, /^tool_choice\.name/],
    [{ ...user('x'), thinking: { type: 'enabled' } }, /^thinking\.budget_tokens must be a positive integer/],
    [{ ...user('x'), thinking: { type: 'on' } }, /^thinking\.type must be/],
    [{ ...user('x'), temperature: '1' }, /^temperature must be a number/],
    [{ ...user('x'), stop_sequences: 'END' }, /^stop_sequences must be an array of strings/],
    [{ ...user('x'), metadata: 'm' }, /^metadata must be an object/],
    [{ ...user('x'), output_config: { format: { type: 'regex' } } }, /^output_config\.format must be/],
  ];
  for (const [body, message] of cases) {
    test(String(message), () => {
      assert.throws(() => toChatRequest(body), (error: unknown) => error instanceof HttpError && error.status === 400 && message.test(error.message));
    });
  }
});
