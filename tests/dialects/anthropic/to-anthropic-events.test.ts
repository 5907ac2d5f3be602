// The event stage on its own, fed OpenRouter chunks through the boundary stage: the edges the
// recorded fixtures do not reach.
import assert from 'node:assert/strict';
import { thinkingSignature } from '../../../src/dialects/anthropic/thinking-signature.ts';
import { test } from 'node:test';
import { anthropicEventStage } from '../../../src/dialects/anthropic/to-anthropic-events.ts';
import type { ChatChunk } from '../../../src/chat/wire.ts';
import { UpstreamError } from '../../../src/errors.ts';
import { deltaChunk as delta, eventsFrom, type UpstreamItem } from '../../helpers/answer-events.ts';

const chunk = (value: ChatChunk): ChatChunk => value;

/** Runs batches through the stage and returns `[event, data]` pairs, checking each event's name matches its data's type. */
function run(batches: UpstreamItem[][]): Array<[string, any]> {
  const stage = anthropicEventStage({ id: 'msg_t', model: 'm', estimatedInputTokens: 5 });
  let text = '';
  const sink = { enqueue: (bytes: Uint8Array) => void (text += new TextDecoder().decode(bytes)) };
  for (const batch of eventsFrom(batches)) stage.transform(batch, sink);
  stage.flush?.(sink);
  return text.split('\n\n').filter((block) => block !== '').map((block) => {
    const [eventLine, dataLine, ...rest] = block.split('\n');
    assert.deepEqual(rest, []);
    const event = eventLine?.replace(/^event: /, '') ?? '';
    const data = JSON.parse(dataLine?.replace(/^data: /, '') ?? '');
    assert.equal(data.type, event);
    return [event, data];
  });
}

const names = (events: Array<[string, any]>) => events.map(([event]) => event);

test('a stream with no content still starts, ends and reports its stop reason', () => {
  const events = run([[delta({ content: '' }, 'stop')]]);
  assert.deepEqual(names(events), ['message_start', 'ping', 'message_delta', 'message_stop']);
  assert.deepEqual(events[0]?.[1].message.usage, { input_tokens: 5, output_tokens: 0 });
  assert.deepEqual(events[2]?.[1], { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 0 } });
});

test('an error before any content: message_start, then event: error and nothing more', () => {
  const error = new UpstreamError(429, 'rate limited upstream', 'rate-limit');
  const events = run([[error], [delta({ content: 'late' })]]);
  assert.deepEqual(names(events), ['message_start', 'ping', 'error']);
  assert.deepEqual(events[2]?.[1], { type: 'error', error: { type: 'rate_limit_error', message: 'rate limited upstream' } });
});

test('a tool call without an id or with broken JSON still becomes a tool_use block with an object input', () => {
  const events = run([[
    delta({ tool_calls: [{ index: 0, function: { name: 'f', arguments: '{"a":' } }] }),
    delta({ tool_calls: [{ index: 0, function: { name: 'f', arguments: '1' } }] }),
  ]]);
  // No finish reason came: flush emits the buffered call, and the stop reason is still tool_use.
  assert.deepEqual(names(events), ['message_start', 'ping', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
  assert.deepEqual(events[2]?.[1].content_block, { type: 'tool_use', id: 'toolu_t_0', name: 'f', input: {} });
  assert.deepEqual(events[3]?.[1].delta, { type: 'input_json_delta', partial_json: '{}' });
  assert.equal(events[5]?.[1].delta.stop_reason, 'tool_use');
});

test('thinking, text, thinking again: each switch closes one block and opens the next, indexes count up', () => {
  const events = run([[delta({ reasoning: 'a' }), delta({ content: 'b' }), delta({ reasoning: 'c' }, 'stop')]]);
  const blocks = events.filter(([event]) => event.startsWith('content_block')).map(([event, data]) => `${event}:${data.index}`);
  assert.deepEqual(blocks, [
    'content_block_start:0', 'content_block_delta:0', 'content_block_delta:0', 'content_block_stop:0',
    'content_block_start:1', 'content_block_delta:1', 'content_block_stop:1',
    'content_block_start:2', 'content_block_delta:2', 'content_block_delta:2', 'content_block_stop:2',
  ]);
  // Each thinking block ends with its own non-empty signature, as Anthropic's do.
  assert.deepEqual(events.filter(([event]) => event === 'content_block_delta').map(([, data]) => data.delta), [
    { type: 'thinking_delta', thinking: 'a' }, { type: 'signature_delta', signature: thinkingSignature('a') },
    { type: 'text_delta', text: 'b' },
    { type: 'thinking_delta', thinking: 'c' }, { type: 'signature_delta', signature: thinkingSignature('c') },
  ]);
});

test('usage from the final chunk goes into message_delta', () => {
  const events = run([[delta({ content: 'x' }, 'length'), chunk({ choices: [], usage: { prompt_tokens: 9, completion_tokens: 1 } })]]);
  assert.deepEqual(events.at(-2)?.[1], { type: 'message_delta', delta: { stop_reason: 'max_tokens', stop_sequence: null }, usage: { input_tokens: 9, output_tokens: 1 } });
});
