// Claude Code 2.1.33x sends `system` turns inside `messages` that change every turn (environment, model
// name, tokens left). Through the real /v1/messages endpoint: the leading system message upstream is the
// request's `system` alone, the same on every turn (the provider's prefix cache keeps working), and each
// system turn reaches the model where it occurred.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { post, startProxy } from '../helpers/harness.ts';

const SYSTEM = 'You are Claude Code. Follow the rules.';

function turn(tokensLeft: number, history: unknown[]) {
  return { model: 'claude-sonnet-4-5', max_tokens: 100, system: [{ type: 'text', text: SYSTEM, cache_control: { type: 'ephemeral' } }], messages: [...history, { role: 'system', content: `Tokens left: ${tokensLeft}` }, { role: 'user', content: `Question at ${tokensLeft}` }] };
}

test('a changing system turn stays in place and leaves the leading system prompt byte-for-byte stable', async (t) => {
  const proxy = await startProxy(t);
  const first = await post(proxy, '/v1/messages', turn(9000, []));
  assert.equal(first.status, 200, first.text);
  const answer = first.json().content;
  const second = await post(proxy, '/v1/messages', turn(8000, [
    { role: 'system', content: 'Tokens left: 9000' }, { role: 'user', content: 'Question at 9000' }, { role: 'assistant', content: answer },
  ]));
  assert.equal(second.status, 200, second.text);
  const upstream = proxy.fake.chatRequests().map((body) => body.messages as Array<{ role: string; content: unknown }>);
  assert.equal(upstream.length, 2);
  assert.deepEqual(upstream.map((messages) => messages[0]), [{ role: 'system', content: SYSTEM }, { role: 'system', content: SYSTEM }]);
  assert.deepEqual(upstream[1]?.map((message) => message.role), ['system', 'system', 'user', 'assistant', 'system', 'user']);
  assert.deepEqual(upstream[1]?.slice(1, 3), [{ role: 'system', content: 'Tokens left: 9000' }, { role: 'user', content: 'Question at 9000' }]);
  assert.deepEqual(upstream[1]?.slice(4), [{ role: 'system', content: 'Tokens left: 8000' }, { role: 'user', content: 'Question at 8000' }]);
});
