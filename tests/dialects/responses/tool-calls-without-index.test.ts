// Some OpenAI-compatible providers leave `index` out of tool-call fragments: a new id starts a new
// call (see src/chat/tool-calls.ts, the one assembler at the OpenRouter boundary). Two parallel calls
// must stay two function_call items.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collectAnswer } from '../../../src/chat/answer.ts';
import type { ToolCallDelta } from '../../../src/chat/wire.ts';
import { toResponseEventsStage } from '../../../src/dialects/responses/to-response-events.ts';
import { toResponseObject } from '../../../src/dialects/responses/to-response-object.ts';
import type { ResponseContext } from '../../../src/dialects/responses/types.ts';
import { deltaChunk, eventsFrom } from '../../helpers/answer-events.ts';

function context(): ResponseContext {
  let n = 0;
  return { id: 'resp_1', model: 'm', createdAt: 0, echo: {}, toolTargets: new Map(), newId: (prefix: string) => `${prefix}_${n++}` } as unknown as ResponseContext;
}

const chunk = (delta: Record<string, unknown>, finish: string | null = null) => deltaChunk(delta, finish);
const call = (id: string, name: string, args: string) => ({ id, type: 'function', function: { name, arguments: args } }) as ToolCallDelta;
const events = eventsFrom([[
  chunk({ tool_calls: [call('call_a', 'read', '{"p":1}')] }),
  chunk({ tool_calls: [call('call_b', 'write', '{"q":2}')] }),
  chunk({}, 'tool_calls'),
]]);

const functionCalls = (items: Array<{ type: string; call_id?: string; name?: string; arguments?: string }>) =>
  items.filter((item) => item.type === 'function_call').map((item) => [item.call_id, item.name, item.arguments]);

test('the stream keeps parallel calls without index apart', () => {
  const out: string[] = [];
  const stage = toResponseEventsStage(context());
  const sink = { enqueue: (bytes: Uint8Array) => void out.push(new TextDecoder().decode(bytes)) };
  for (const batch of events) stage.transform(batch, sink);
  stage.flush?.(sink);
  const done = out.join('').split('\n').filter((line) => line.startsWith('data: ')).map((line) => JSON.parse(line.slice(6))).filter((event) => event.type === 'response.output_item.done');
  assert.deepEqual(functionCalls(done.map((event) => event.item)), [['call_a', 'read', '{"p":1}'], ['call_b', 'write', '{"q":2}']]);
});

test('the one-object answer keeps parallel calls without index apart', () => {
  const { output } = toResponseObject(context(), collectAnswer(events.flat())) as { output: Array<{ type: string }> };
  assert.deepEqual(functionCalls(output), [['call_a', 'read', '{"p":1}'], ['call_b', 'write', '{"q":2}']]);
});
