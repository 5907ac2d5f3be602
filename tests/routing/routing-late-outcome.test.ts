import assert from 'node:assert/strict';
import { test } from 'node:test';
import { post, startProxy } from '../helpers/harness.ts';

const MODEL = 'qwen/qwen3-coder:free';
const MINUTE = 60_000;

test('failures after the answer started escalate the cooldown; a stream that ends cleanly clears it', async (t) => {
  const proxy = await startProxy(t);
  let now = Date.UTC(2026, 10, 24, 12);
  proxy.clock.wallMs = now;
  const chat = () => post(proxy, '/api/chat', { model: 'qwen3-coder:free', messages: [{ role: 'user', content: 'one two three four' }] });

  for (const [count, minutes] of [[1, 5], [2, 10], [3, 15]] as const) {
    proxy.fake.script(MODEL, { kind: 'error-chunk', afterChunks: 2 });
    const answer = await chat();
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('x-proxy-model'), MODEL);
    assert.match(answer.text.trimEnd().split('\n').at(-1) ?? '', /"error"/);
    const failure = proxy.store.get(MODEL);
    assert.equal(failure?.count, count, `failure ${count} is counted, not reset by the answer's start`);
    assert.equal(failure?.cooldownUntil, now + minutes * MINUTE);
    now += (minutes + 1) * MINUTE;
    proxy.clock.wallMs = now;
  }

  const clean = await chat();
  assert.equal(clean.headers.get('x-proxy-model'), MODEL);
  assert.match(clean.text, /"done":true/);
  assert.equal(proxy.store.get(MODEL), undefined, 'a clean end clears the record');
});
