// GET /status/events over HTTP: a snapshot first, then live request rows, status changes and chart
// counts; the stream's subscriber goes away with the client. Never any message content.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSseParser } from '../../src/streams/sse-parser.ts';
import { post, startProxy } from '../helpers/harness.ts';

/** Reads SSE events from a response until `until` says stop; returns them all. */
async function readUntil(response: Response, until: (events: Array<{ event: string; data: any }>) => boolean) {
  const events: Array<{ event: string; data: any }> = [];
  const decoder = new TextDecoder();
  const parser = createSseParser((event) => void events.push({ event: event.event ?? 'message', data: JSON.parse(event.data) }));
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  while (!until(events)) {
    const { done, value } = await reader.read();
    if (done) break;
    parser.feed(decoder.decode(value, { stream: true }));
  }
  await reader.cancel();
  return events;
}

test('the event stream opens with a snapshot: API labels, rows, status, models and chart', async (t) => {
  const proxy = await startProxy(t);
  await post(proxy, '/api/chat', { model: 'earlier', stream: false, messages: [{ role: 'user', content: 'secret words' }] });
  const response = await proxy.fetch('/status/events');
  assert.equal(response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  const events = await readUntil(response, (seen) => seen.some((event) => event.event === 'chart'));
  assert.deepEqual(events.map((event) => event.event), ['apis', 'requests', 'status', 'models', 'chart']);
  const [apis, requests, status, models, chart] = events.map((event) => event.data);
  assert.deepEqual(apis, { anthropic: 'Anthropic', responses: 'Responses', openai: 'OpenAI', ollama: 'Ollama' }, 'the labels come from the client API records');
  assert.equal(requests[0].requested, 'earlier');
  assert.equal(requests[0].status, 200);
  assert.equal(status.mode, 'free');
  assert.equal(status.catalog.loaded, true);
  assert.deepEqual(models.map((model: { id: string }) => model.id), proxy.app.router.visibleModels().map((model) => model.id));
  assert.equal(chart.length, 60);
  assert.equal(chart.at(-1).ok, 1);
  assert.ok(!JSON.stringify(events).includes('secret words'));
});

test('live events: a streamed chat that falls back, then the cooldown in a status event', async (t) => {
  const proxy = await startProxy(t);
  const first = proxy.app.router.visibleModels().find((model) => model.capabilities.completion) ?? assert.fail('no chat model');
  const response = await proxy.fetch('/status/events');
  const events = readUntil(response, (seen) => seen.some((event) => event.event === 'status' && event.data.cooldowns.length > 0));
  proxy.fake.script(first.id, { kind: 'http', status: 429, message: 'busy' });
  const chat = await post(proxy, '/v1/chat/completions', { model: first.name, stream: true, messages: [{ role: 'user', content: 'hi' }] });
  assert.equal(chat.status, 200);
  const seen = await events;
  const rows = seen.filter((event) => event.event === 'request').map((event) => event.data);
  const last = rows.at(-1);
  assert.equal(last.api, 'openai');
  assert.equal(last.done, true);
  assert.equal(last.model, chat.headers.get('x-proxy-model'));
  assert.deepEqual(last.attempts.map((attempt: { model: string; outcome: string }) => [attempt.model, attempt.outcome]), [[first.id, 'rate-limit'], [last.model, 'ok']]);
  assert.ok(last.ttftMs >= 0 && last.ms >= last.ttftMs);
  const status = seen.findLast((event) => event.event === 'status')?.data;
  assert.deepEqual(status.cooldowns.map((cooldown: { model: string; kind: string }) => [cooldown.model, cooldown.kind]), [[first.id, 'rate-limit']]);
  assert.match(status.last_errors[first.id].error, /busy/);
});

test('a client that leaves is unsubscribed', { timeout: 10_000 }, async (t) => {
  // The socket is the point: the server learns that the client left only from the connection closing.
  const proxy = await startProxy(t, { socket: true });
  const response = await fetch(`${proxy.url}/status/events`);
  await readUntil(response, (seen) => seen.length > 0);
  assert.equal(proxy.app.requests.subscribers(), 1);
  // readUntil cancelled the body: the socket closes, and the server side must notice without a heartbeat.
  while (proxy.app.requests.subscribers() > 0) await new Promise((resolve) => setImmediate(resolve));
  assert.equal(proxy.app.requests.subscribers(), 0);
});
