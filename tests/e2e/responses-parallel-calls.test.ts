// Parallel function calls on /v1/responses, through the real HTTP endpoint and the offline OpenRouter:
// each item's added, argument deltas, arguments.done and output_item.done come before the next item,
// as OpenAI sends them (pi's Responses client keeps one "current item"; see tests/e2e/agent-clis-more.test.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { post, startProxy } from '../helpers/harness.ts';
import { assertOneItemAtATime, responsesEvents } from '../helpers/responses-events.ts';

const bash = { type: 'function', name: 'bash', parameters: { type: 'object', properties: { command: { type: 'string' } } } };

test('/v1/responses streams two parallel function calls one item after the other, each with its own arguments', async (t) => {
  const proxy = await startProxy(t);
  const input = 'Run both. [tool=bash][args={"command":"echo A"}] [tool=bash][args={"command":"echo B"}]';
  const reply = await post(proxy, '/v1/responses', { model: 'qwen3-coder:free', input, tools: [bash], stream: true });
  assert.equal(reply.status, 200);
  const events = responsesEvents(reply.text);
  assertOneItemAtATime(events);
  const order = events.filter((event) => event.output_index !== undefined).map((event) => `${event.output_index} ${event.type.replace('response.', '')}`);
  assert.deepEqual(order.filter((line) => !line.endsWith('arguments.delta')), [
    '0 output_item.added', '0 function_call_arguments.done', '0 output_item.done',
    '1 output_item.added', '1 function_call_arguments.done', '1 output_item.done',
  ]);
  const done = events.filter((event) => event.type === 'response.output_item.done').map((event) => event.item?.arguments);
  assert.deepEqual(done, ['{"command":"echo A"}', '{"command":"echo B"}']);
  assert.equal(proxy.fake.chatRequests().length, 1);
});
