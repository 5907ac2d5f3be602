// The upstream answer: an OpenRouter body read straight from its reader, with the watchdog's reads,
// the synchronous stages and the transport guard, as event batches.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { AnswerEvent } from '../../src/chat/answer.ts';
import { HttpError, UpstreamError } from '../../src/errors.ts';
import { upstreamAnswerStage } from '../../src/openrouter/answer-stage.ts';
import { readUpstreamAnswer, type UpstreamAnswer, type UpstreamAnswerOptions } from '../../src/openrouter/upstream-body.ts';
import { createWatchdog } from '../../src/openrouter/watchdog.ts';
import { answerEvents } from '../helpers/dialect-fixtures.ts';

const encode = (text: string) => new TextEncoder().encode(text);
const event = (content: string) => `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content } }] })}\n\n`;
const toError = (cause: unknown) => new UpstreamError(cause instanceof HttpError ? cause.status : 502, String((cause as Error)?.message ?? cause), 'transient');

/** An answer over `reader` with plain reads; `ends` counts how often onEnd ran. */
function sourceOver(reader: ReadableStreamDefaultReader<Uint8Array>, options: Partial<UpstreamAnswerOptions> = {}) {
  const counts = { ends: 0 };
  const source = readUpstreamAnswer(reader, {
    stage: upstreamAnswerStage(() => 0),
    read: (r) => r.read(),
    toError,
    clientSignal: new AbortController().signal,
    onEnd: () => counts.ends++,
    ...options,
  });
  return { source, counts };
}

async function drain(source: UpstreamAnswer): Promise<AnswerEvent[][]> {
  const batches: AnswerEvent[][] = [];
  for (let batch = await source.next(); batch !== undefined; batch = await source.next()) batches.push(batch);
  return batches;
}

/** A body whose controller the test holds: it yields what is pushed, when it is pushed. */
function controlledBody() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const cancelled: unknown[] = [];
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c), cancel: (reason) => void cancelled.push(reason ?? 'cancelled') });
  return { body, controller, cancelled };
}

for (const name of ['content-multibyte.sse', 'tool-calls.sse', 'reasoning-crlf.sse', 'error-after-content-cr.sse']) {
  test(`${name}: the same events as the stream stages, split at every byte offset`, async () => {
    const bytes = readFileSync(new URL(`../fixtures/openrouter/${name}`, import.meta.url));
    const expected = (await answerEvents([bytes])).flat();
    for (let split = 0; split <= bytes.length; split++) {
      const { source, counts } = sourceOver(ReadableStream.from([bytes.subarray(0, split), bytes.subarray(split)]).getReader());
      const events = (await drain(source)).flat();
      assert.deepEqual(events, expected, `split at ${split}`);
      assert.equal(counts.ends, 1);
      const error = events.findIndex((event) => event.type === 'error');
      assert.ok(error === -1 || error === events.length - 1, 'an error event is always the last');
    }
  });
}

test('a body that breaks after content ends with one error part, and the source ends once', async () => {
  const { body, controller } = controlledBody();
  const { source, counts } = sourceOver(body.getReader());
  controller.enqueue(encode(event('hello')));
  assert.deepEqual((await source.next())?.map((event) => event.type), ['raw', 'text']);
  controller.error(new Error('socket reset'));
  const last = await source.next();
  assert.equal(last?.length, 1);
  assert.equal(last?.[0]?.type, 'error');
  assert.equal(await source.next(), undefined);
  assert.equal(counts.ends, 1);
});

test('an in-band error ends the source and lets go of the rest of the body', async () => {
  const { body, controller, cancelled } = controlledBody();
  const { source, counts } = sourceOver(body.getReader());
  controller.enqueue(encode(`${event('a')}data: {"error":{"code":429,"message":"slow down"}}\n\n${event('never')}`));
  const batch = await source.next();
  assert.deepEqual(batch?.map((event) => event.type), ['raw', 'text', 'error']);
  assert.equal(await source.next(), undefined);
  assert.equal(counts.ends, 1);
  assert.equal(cancelled.length, 1);
});

test('when the client went away the answer rejects instead of reporting an error event', async () => {
  const { body, controller } = controlledBody();
  const client = new AbortController();
  const { source, counts } = sourceOver(body.getReader(), { clientSignal: client.signal });
  const pending = source.next();
  client.abort(new HttpError(499, 'client closed the connection'));
  controller.error(client.signal.reason);
  await assert.rejects(pending, (error: unknown) => error instanceof UpstreamError && error.status === 499);
  assert.equal(counts.ends, 1);
});

test('cancel lets go of the body with the reason, ends once, and the source is then empty', async () => {
  const { body, controller, cancelled } = controlledBody();
  const { source, counts } = sourceOver(body.getReader());
  controller.enqueue(encode(event('hello')));
  await source.next();
  await source.cancel('client left');
  await source.cancel('again');
  assert.deepEqual(cancelled, ['client left']);
  assert.equal(counts.ends, 1);
  assert.equal(await source.next(), undefined);
});

test('keep-alive comments are read through: next resolves with the first real events', async () => {
  const { source } = sourceOver(ReadableStream.from([encode(': OPENROUTER PROCESSING\n\n'), encode(': OPENROUTER PROCESSING\n\n'), encode(event('hi'))]).getReader());
  const batch = await source.next();
  assert.deepEqual(batch?.[1], { type: 'text', text: 'hi' });
});

test('a paused reader is never mistaken for a stalled upstream; silence during a read is', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const watchdog = createWatchdog({ firstMs: 1e9, firstMessage: 'no first event', idleMs: 1000 });
  const { body, controller } = controlledBody();
  // As fetch does: the attempt's signal aborting breaks the body.
  watchdog.signal.addEventListener('abort', () => controller.error(watchdog.signal.reason));
  const { source, counts } = sourceOver(body.getReader(), { read: watchdog.read });
  t.after(watchdog.clear);
  controller.enqueue(encode(event('one')));
  // Nobody reads for far longer than the idle limit: a slow client, not a stalled upstream.
  t.mock.timers.tick(10_000);
  assert.equal(watchdog.signal.aborted, false);
  assert.equal((await source.next())?.[1]?.type, 'text');
  // Now a read is outstanding and the upstream stays silent.
  const pending = source.next();
  t.mock.timers.tick(1000);
  assert.equal(watchdog.signal.aborted, true);
  const last = await pending;
  assert.equal(last?.[0]?.type === 'error' && last[0].error.status, 504);
  assert.equal(counts.ends, 1);
});

test('the watchdog follows the client signal until cleared, without AbortSignal.any', () => {
  const client = new AbortController();
  const followed = createWatchdog({ firstMs: 1e9, firstMessage: '', idleMs: 1e9 }, client.signal);
  const cleared = createWatchdog({ firstMs: 1e9, firstMessage: '', idleMs: 1e9 }, client.signal);
  cleared.clear();
  client.abort(new HttpError(499, 'client closed the connection'));
  assert.equal(followed.signal.aborted, true);
  assert.equal((followed.signal.reason as HttpError).status, 499);
  assert.equal(cleared.signal.aborted, false);
  followed.clear();
  const late = createWatchdog({ firstMs: 1e9, firstMessage: '', idleMs: 1e9 }, client.signal);
  assert.equal(late.signal.aborted, true, 'an already aborted client signal aborts at once');
  late.clear();
});
