// The Responses event stage and error table on their own: how a stream starts, ends and fails.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { toResponseError } from '../../../src/dialects/responses/errors.ts';
import { toResponseEventsStage } from '../../../src/dialects/responses/to-response-events.ts';
import { HttpError, UpstreamError } from '../../../src/errors.ts';
import { deltaChunk, eventsFrom, type UpstreamItem } from '../../helpers/answer-events.ts';
import { fixtureContext } from './fixture-context.ts';

/** Runs the stage over the answer events of upstream batches (then flush) and returns each event's type and its data. */
function run(batches: UpstreamItem[][]): Array<{ type: string; [key: string]: any }> {
  const stage = toResponseEventsStage(fixtureContext());
  const decoder = new TextDecoder();
  let text = '';
  const sink = { enqueue: (bytes: Uint8Array) => void (text += decoder.decode(bytes)) };
  for (const batch of eventsFrom(batches)) stage.transform(batch, sink);
  stage.flush?.(sink);
  return text.trimEnd().split('\n\n').filter((block) => block !== '').map((block) => JSON.parse(block.split('\n')[1]!.slice('data: '.length)));
}

const chunk = deltaChunk;
const failure = (status: number, message: string) => new UpstreamError(status, message, 'transient');

describe('responses stage: starts and ends', () => {
  test('no parts at all: created, in_progress, then completed with no output', () => {
    const events = run([]);
    assert.deepEqual(events.map((event) => event.type), ['response.created', 'response.in_progress', 'response.completed']);
    assert.deepEqual([events[2]?.response.status, events[2]?.response.output], ['completed', []]);
  });

  test('an error before any content: failed, and flush adds nothing after it', () => {
    const events = run([[failure(429, 'slow down')], [chunk({ content: 'late' })]]);
    assert.deepEqual(events.map((event) => event.type), ['response.created', 'response.in_progress', 'response.failed']);
    assert.deepEqual(events[2]?.response.error, { code: 'rate_limit_exceeded', message: 'slow down' });
  });

  test('reasoning, then text, then reasoning again: three items, each closed before the next opens', () => {
    const events = run([[chunk({ reasoning: 'a' }), chunk({ content: 'b' }), chunk({ reasoning: 'c' }, 'stop')]]);
    const items = events.filter((event) => event.type === 'response.output_item.added' || event.type === 'response.output_item.done')
      .map((event) => `${event.type.slice('response.output_item.'.length)}:${event.output_index}:${event.item.type}`);
    assert.deepEqual(items, ['added:0:reasoning', 'done:0:reasoning', 'added:1:message', 'done:1:message', 'added:2:reasoning', 'done:2:reasoning']);
  });

  test('a tool call without an upstream id still gets a call_id', () => {
    const events = run([[chunk({ tool_calls: [{ index: 0, function: { name: 'get_weather', arguments: '{}' } }] }, 'tool_calls')]]);
    const done = events.find((event) => event.type === 'response.output_item.done');
    assert.deepEqual([done?.item.type, done?.item.call_id, done?.item.id], ['function_call', 'call_1', 'fc_1']);
  });
});

describe('responses errors: response.failed codes', () => {
  const cases: Array<[HttpError, { code: string; message: string }]> = [
    [new UpstreamError(429, 'rate limited', 'rate-limit'), { code: 'rate_limit_exceeded', message: 'rate limited' }],
    [new UpstreamError(402, 'no credits', 'fatal'), { code: 'insufficient_quota', message: 'no credits' }],
    [new UpstreamError(413, 'too long', 'fatal'), { code: 'context_length_exceeded', message: 'too long' }],
    [new UpstreamError(502, 'broke', 'transient'), { code: 'server_error', message: 'broke' }],
    [new UpstreamError(504, 'timed out', 'transient'), { code: 'server_error', message: 'timed out' }],
    [new HttpError(500, 'secret detail', { expose: false }), { code: 'server_error', message: 'internal server error' }],
  ];
  for (const [error, expected] of cases) test(`${error.status} ${error.message}`, () => assert.deepEqual(toResponseError(error), expected));
});
