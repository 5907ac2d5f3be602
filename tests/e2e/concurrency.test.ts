// 500 concurrent streams over loopback: every one completes, and every client gets its own answer
// (the fake echoes the request text, so a crossed wire would show).
import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { test } from 'node:test';
import { ndjson, sseData, startProxy } from '../helpers/harness.ts';
import { activeTimers, assertSettled, call } from '../helpers/reliability-helpers.ts';

const CLIENTS = 500;

test(`${CLIENTS} concurrent streaming requests each get their own, complete answer`, async (t) => {
  // A socket: 500 connections open at once on the node server are part of the claim.
  const proxy = await startProxy(t, { socket: true });
  const timersBefore = activeTimers();
  const agent = new Agent({ maxSockets: CLIENTS, keepAlive: false });
  t.after(() => agent.destroy());
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, proxy.fake.activeStreams())), 5);
  t.after(() => clearInterval(sampler));

  const answers = await Promise.all(Array.from({ length: CLIENTS }, async (_, i) => {
    const openai = i % 2 === 1;
    // The delay keeps every stream open long enough for all of them to overlap.
    const content = `client ${i} says ${(i * 7919).toString(36)} [delay=250]`;
    const answer = await call(proxy.url, openai ? '/v1/chat/completions' : '/api/chat', {
      agent,
      timeoutMs: 30_000,
      body: { model: 'qwen3-coder:free', stream: true, messages: [{ role: 'user', content }] },
    });
    assert.equal(answer.status, 200, answer.text);
    let text: string;
    if (openai) {
      const payloads = sseData(answer.text);
      assert.equal(payloads.pop(), '[DONE]');
      text = payloads.map((payload) => JSON.parse(payload).choices[0]?.delta?.content ?? '').join('');
    } else {
      const lines = ndjson(answer.text);
      assert.equal(lines.at(-1).done, true);
      text = lines.map((line) => line.message.content).join('');
    }
    return { expected: `Echo: ${content}`, text };
  }));
  clearInterval(sampler);

  for (const { expected, text } of answers) assert.equal(text, expected);
  assert.ok(peak >= CLIENTS / 4, `only ${peak} streams were open at once`);
  assert.equal(proxy.fake.chatRequests().length, CLIENTS, 'no retries, no fallbacks');
  await assertSettled(proxy, timersBefore);
});
