// OpenRouter failing every model for a time window (the offline OpenRouter's outage switch): requests
// during it answer fast with few upstream calls and cool nothing down; the first request after it is served.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startProxy } from '../helpers/harness.ts';
import { getJson, ollamaChat, openaiChat } from '../helpers/free-mode-helpers.ts';

// What a client sees for each fault before the proxy has seen enough to call it an outage.
const FAULTS = [{ fault: 502, status: 502 }, { fault: 401, status: 401 }, { fault: 'reset', status: 502 }] as const;

for (const { fault, status } of FAULTS) {
  test(`an OpenRouter-wide ${fault} for a while: at most MAX_ATTEMPTS calls per request, no lockout afterwards`, async (t) => {
    const proxy = await startProxy(t);
    proxy.fake.outage({ status: fault, durationMs: 1_500 });
    const calls: number[] = [];
    const answers: number[] = [];
    // Different names, as different clients would send: a 401 outage shows only across models.
    for (const model of ['gemini-2.0-flash-exp:free', 'qwen3-coder:free', 'deepseek-r1:free', 'x', 'y']) {
      const before = proxy.fake.requests.length;
      const reply = model === 'x' ? await openaiChat(proxy, model, { stream: true }) : await ollamaChat(proxy, model);
      answers.push(reply.status);
      calls.push(proxy.fake.requests.length - before);
      if (reply.status === 503) assert.ok(Number(reply.headers.get('retry-after')) >= 1, 'a 503 carries Retry-After');
    }
    assert.ok(calls.every((count) => count <= proxy.config.maxAttempts), `upstream calls per request: ${calls}`);
    assert.ok(answers.every((answer) => answer === status || answer === 503), `answers: ${answers}`);
    assert.equal(answers.at(-1), 503, 'by then the proxy knows OpenRouter is down');
    assert.deepEqual((await getJson(proxy, '/status')).body.cooldowns, [], 'no model is blamed for the outage');

    await proxy.fake.outageEnded();
    const after = await ollamaChat(proxy, 'qwen3-coder:free');
    assert.equal(after.status, 200, 'the first request after the outage is served');
    const { body } = await getJson(proxy, '/status');
    assert.deepEqual([body.outage.active, body.cooldowns], [false, []]);
  });
}
