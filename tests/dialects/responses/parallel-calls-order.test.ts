// Parallel tool calls whose upstream fragments interleave still come out as OpenAI sends them: one
// item after another, each with its own arguments (pi keeps one "current item" and would otherwise
// give call 0's arguments to call 1).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChatChunk } from '../../../src/chat/wire.ts';
import { toResponseEventsStage } from '../../../src/dialects/responses/to-response-events.ts';
import type { ResponseContext } from '../../../src/dialects/responses/types.ts';
import { deltaChunk, eventsFrom } from '../../helpers/answer-events.ts';
import { assertOneItemAtATime, responsesEvents } from '../../helpers/responses-events.ts';

function context(): ResponseContext {
  let n = 0;
  return { id: 'resp_1', model: 'm', createdAt: 0, echo: {}, toolTargets: new Map(), newId: (prefix: string) => `${prefix}_${n++}` } as unknown as ResponseContext;
}

const chunk = (delta: Record<string, unknown>, finish: string | null = null): ChatChunk => deltaChunk(delta, finish);
const start = (index: number, id: string, name: string) => chunk({ tool_calls: [{ index, id, type: 'function', function: { name, arguments: '' } }] });
const args = (index: number, text: string) => chunk({ tool_calls: [{ index, function: { arguments: text } }] });

const cases: Array<{ name: string; parts: ChatChunk[] }> = [
  { name: 'one call after the other', parts: [start(0, 'call_a', 'bash'), args(0, '{"command":'), args(0, '"echo A"}'), start(1, 'call_b', 'bash'), args(1, '{"command":"echo B"}'), chunk({}, 'tool_calls')] },
  { name: 'interleaved fragments', parts: [start(0, 'call_a', 'bash'), start(1, 'call_b', 'bash'), args(0, '{"command":'), args(1, '{"command":'), args(1, '"echo B"}'), args(0, '"echo A"}'), chunk({}, 'tool_calls')] },
  { name: 'text after the calls', parts: [start(0, 'call_a', 'bash'), args(0, '{"command":"echo A"}'), start(1, 'call_b', 'bash'), args(1, '{"command":"echo B"}'), chunk({ content: 'done' }, 'stop')] },
];

for (const { name, parts } of cases) {
  test(`parallel calls, ${name}: one item at a time, each with its own arguments`, () => {
    let body = '';
    const stage = toResponseEventsStage(context());
    const sink = { enqueue: (bytes: Uint8Array) => void (body += new TextDecoder().decode(bytes)) };
    // One upstream read per chunk, through the OpenRouter boundary.
    for (const batch of eventsFrom(parts.map((part) => [part]))) stage.transform(batch, sink);
    stage.flush?.(sink);
    const events = responsesEvents(body);
    assertOneItemAtATime(events);
    // What a client that only reads the deltas of the current item assembles, per call.
    const streamed = new Map<number, string>();
    for (const event of events) {
      if (event.type === 'response.function_call_arguments.delta') streamed.set(event.output_index ?? -1, (streamed.get(event.output_index ?? -1) ?? '') + event.delta);
    }
    const added = events.filter((event) => event.type === 'response.output_item.added' && event.item?.type === 'function_call');
    assert.deepEqual(added.map((event) => [event.item?.call_id, event.item?.arguments, streamed.get(event.output_index ?? -1)]), [
      ['call_a', '', '{"command":"echo A"}'],
      ['call_b', '', '{"command":"echo B"}'],
    ]);
  });
}
