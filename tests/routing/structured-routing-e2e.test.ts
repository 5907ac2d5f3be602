// Structured-output routing: a JSON-schema request, in each API's own field, goes only to models whose
// supported_parameters include structured_outputs (the offline OpenRouter, like the real one, answers
// a schema in prose on a model without it); JSON mode needs response_format.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startProxy } from '../helpers/harness.ts';
import { FREE_CHAT_ORDER, modelsTried, openaiChat } from '../helpers/free-mode-helpers.ts';
import { APIS, askIn, writeFilter } from '../helpers/quota-helpers.ts';

const GEMINI = FREE_CHAT_ORDER[0] as string;
const LLAMA = 'meta-llama/llama-3.3-70b-instruct:free'; // response_format, no structured_outputs
const SCHEMA = { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] };

for (const api of APIS) {
  for (const stream of [false, true]) {
    test(`${api}${stream ? ' (streamed)' : ''}: a JSON schema asked of a model without structured_outputs goes to one with it`, async (t) => {
      const proxy = await startProxy(t);
      const reply = await askIn(proxy, api, { model: 'llama-3.3-70b-instruct:free', text: 'blue', schema: SCHEMA, stream });
      assert.equal(reply.status, 200, reply.text);
      assert.deepEqual(modelsTried(proxy), [GEMINI], 'one upstream request, to a model that honours the schema');
      assert.deepEqual(JSON.parse(reply.content ?? ''), { answer: 'blue' });
    });
  }
}

test('JSON mode needs only response_format: a model with it keeps the request; one without it does not', async (t) => {
  const proxy = await startProxy(t);
  const kept = await openaiChat(proxy, 'llama-3.3-70b-instruct:free', { response_format: { type: 'json_object' } });
  assert.equal(kept.model, LLAMA);
  assert.deepEqual(JSON.parse(kept.json().choices[0].message.content), { echo: 'hello' });
  proxy.fake.reset();
  const moved = await openaiChat(proxy, 'other/chat-7b:free', { response_format: { type: 'json_object' } });
  assert.equal(moved.model, GEMINI);
  assert.deepEqual(modelsTried(proxy), [GEMINI]);
});

test('when no visible model has structured_outputs, the request goes as before and the log says so once', async (t) => {
  const proxy = await startProxy(t);
  writeFilter(proxy, 'llama-3.3\n');
  for (const word of ['one', 'two']) {
    const reply = await askIn(proxy, 'openai', { model: 'x', text: word, schema: SCHEMA });
    assert.equal(reply.status, 200);
    assert.equal(reply.content, `Echo: ${word}`, 'the model ignores the schema, as OpenRouter does');
  }
  assert.deepEqual(modelsTried(proxy), [LLAMA, LLAMA]);
  const warnings = proxy.logs.map((line) => JSON.parse(line)).filter((entry) => /structured outputs/.test(entry.msg));
  assert.deepEqual(warnings.map((entry) => [entry.level, entry.output]), [['WARN', 'json_schema']]);
});
