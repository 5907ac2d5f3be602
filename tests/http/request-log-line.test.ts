// The INFO `request` line names the model asked for, the model that answered and the attempts, and
// logs a stream the client left as cancelled (499), as the dashboard shows it; count_tokens is saved.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FREE_CHAT_ORDER, getJson, ollamaChat, waitFor } from '../helpers/free-mode-helpers.ts';
import { post, startProxy, type Proxy } from '../helpers/harness.ts';

const [GEMINI, QUASAR] = FREE_CHAT_ORDER as unknown as [string, string];
const requestLines = (proxy: Proxy) => proxy.logs.map((line) => JSON.parse(line)).filter((entry) => entry.msg === 'request' && entry.method === 'POST');

// The request line is the node adapter's: these two need a socket.
test('the request line names the model asked for, the one that answered and the attempts', async (t) => {
  const proxy = await startProxy(t, { socket: true });
  proxy.fake.script(GEMINI, { kind: 'http', status: 500 });
  await ollamaChat(proxy.url, 'my-model', { stream: false });
  const [line] = requestLines(proxy);
  assert.deepEqual({ ...line, time: undefined, ms: undefined }, { time: undefined, level: 'INFO', msg: 'request', method: 'POST', path: '/api/chat', requested: 'my-model', attempts: 2, model: QUASAR, status: 200, ms: undefined });
  for (const model of FREE_CHAT_ORDER) proxy.fake.script(model, { kind: 'http', status: 500, message: 'down' });
  await ollamaChat(proxy.url, 'my-model', { stream: false });
  const failed = requestLines(proxy)[1];
  assert.deepEqual([failed.requested, failed.attempts, failed.model, failed.status], ['my-model', 3, undefined, 503], 'no model answered: three tried, then the outage verdict');
});

test('a stream the client leaves is logged as cancelled (499), as on the dashboard', async (t) => {
  const proxy = await startProxy(t, { socket: true });
  const abort = new AbortController();
  const response = await fetch(`${proxy.url}/api/chat`, { method: 'POST', body: JSON.stringify({ model: 'x', messages: [{ role: 'user', content: '[chunks=20][delay=100]' }] }), signal: abort.signal });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  await reader.read();
  abort.abort();
  await waitFor(() => requestLines(proxy).length === 1, 'the request line');
  assert.equal(requestLines(proxy)[0]?.status, 499);
  assert.equal(requestLines(proxy)[0]?.model, GEMINI);
  await waitFor(() => proxy.app.requests.recent()[0]?.done === true, 'the dashboard row to end');
  assert.equal(proxy.app.requests.recent()[0]?.status, 499);
});

test('count_tokens is answered locally and counted as saved', async (t) => {
  const proxy = await startProxy(t);
  const counted = await post(proxy, '/v1/messages/count_tokens', { model: 'claude-x', messages: [{ role: 'user', content: 'abcd' }] }, { 'anthropic-version': '2023-06-01' });
  assert.deepEqual(counted.json(), { input_tokens: 4 });
  assert.equal(proxy.fake.chatRequests().length, 0);
  assert.equal((await getJson(proxy, '/status')).body.saved_today.count_tokens, 1);
});
