// The commit point and the one reply stream of a streamed answer: read-ahead to the first content,
// then the upstream's bytes through one web TransformStream (parse, observe, encode). The observer
// hears once how it ended (end after a clean finish or an error event, cancel when the client left),
// at most one upstream read is ahead of the client, and a cancel reaches the upstream.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AnswerEvent } from '../../src/chat/answer.ts';
import { answerReply, type AnswerObserver } from '../../src/core/answer-reply.ts';
import { collectWhole, readToFirstContent } from '../../src/core/read-ahead.ts';
import { HttpError, UpstreamError } from '../../src/errors.ts';
import { upstreamAnswerStage } from '../../src/openrouter/answer-stage.ts';
import { readUpstreamAnswer, type UpstreamAnswer } from '../../src/openrouter/upstream-body.ts';
import type { Stage } from '../../src/streams/stage.ts';

const encode = (text: string) => new TextEncoder().encode(text);
const chunk = (delta: Record<string, unknown>, finish: string | null = null) => `data: ${JSON.stringify({ choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const role = chunk({ role: 'assistant' });
const text = (content: string) => chunk({ content });

/** An upstream answer over the given reads; counts reads and records cancels. */
function upstream(reads: Array<string | Error>, clientSignal = new AbortController().signal) {
  const seen = { reads: 0, cancels: [] as unknown[] };
  let index = 0;
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        seen.reads++;
        const next = reads[index++];
        if (next === undefined) controller.close();
        else if (next instanceof Error) controller.error(next);
        else controller.enqueue(encode(next));
      },
      cancel: (reason) => void seen.cancels.push(reason ?? 'cancelled'),
    },
    { highWaterMark: 0 },
  );
  const toError = (cause: unknown) => (cause instanceof UpstreamError ? cause : new UpstreamError(cause instanceof HttpError ? cause.status : 502, (cause as Error).message, 'transient'));
  const answer = readUpstreamAnswer(body.getReader(), { stage: upstreamAnswerStage(() => 0), read: (reader) => reader.read(), toError, clientSignal, onEnd: () => {} });
  return { answer, seen };
}

// Each text event becomes its text, an error "!message"; flush writes "|end".
const textStage: Stage<AnswerEvent[], Uint8Array> = {
  transform(batch, sink) {
    const out = batch.map((event) => (event.type === 'text' ? event.text : event.type === 'error' ? `!${event.error.message}` : '')).join('');
    if (out !== '') sink.enqueue(encode(out));
  },
  flush: (sink) => sink.enqueue(encode('|end')),
};

function observed() {
  const heard: string[] = [];
  const observer: AnswerObserver = {
    events: (batch) => void batch.forEach((event) => event.type === 'error' && heard.push(`error: ${event.error.message}`)),
    end: () => void heard.push('end'),
    cancel: () => void heard.push('cancel'),
  };
  return { heard, observer };
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  let out = '';
  for await (const piece of stream.pipeThrough(new TextDecoderStream())) out += piece;
  return out;
}

async function reply(answer: UpstreamAnswer, observer: AnswerObserver) {
  return answerReply(answer, await readToFirstContent(answer), textStage, observer);
}

const settle = async () => {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
};

test('read-ahead stops at the first content and the reply replays it; a clean end is heard once', async () => {
  const { answer, seen } = upstream([role, text('a'), text('b'), 'data: [DONE]\n\n']);
  const buffered = await readToFirstContent(answer);
  assert.equal(seen.reads, 2, 'nothing is read past the first content');
  const { heard, observer } = observed();
  assert.equal(await readAll(answerReply(answer, buffered, textStage, observer)), 'ab|end');
  assert.deepEqual(heard, ['end']);
});

test('an error before the first content is thrown (so the attempt falls back) and the upstream let go', async () => {
  const { answer, seen } = upstream([role, 'data: {"error":{"code":502,"message":"overloaded"}}\n\n', text('never')]);
  await assert.rejects(readToFirstContent(answer), /overloaded/);
  assert.equal(seen.cancels.length, 1);
});

test('an error after the commit point travels inside the stream, is heard once, and ends the reading', async () => {
  const { answer, seen } = upstream([text('a'), `${text('b')}data: {"error":{"code":502,"message":"reset"}}\n\n`, text('never')]);
  const { heard, observer } = observed();
  assert.equal(await readAll(await reply(answer, observer)), 'ab!reset|end');
  assert.deepEqual(heard, ['error: reset', 'end']);
  assert.equal(seen.cancels.length, 1, 'the rest of the body is let go');
});

test('a transport failure after the commit point becomes the stream error event', async () => {
  const { answer } = upstream([text('a'), new Error('socket reset')]);
  const { heard, observer } = observed();
  assert.equal(await readAll(await reply(answer, observer)), 'a!socket reset|end');
  assert.deepEqual(heard, ['error: socket reset', 'end']);
});

test('a client that cancels is heard as a cancel, not an end, and the cancel reaches the upstream', async () => {
  const { answer, seen } = upstream([text('a'), text('b'), text('c'), text('d')]);
  const { heard, observer } = observed();
  const reader = (await reply(answer, observer)).getReader();
  assert.equal(new TextDecoder().decode((await reader.read()).value), 'a');
  await reader.cancel('client left');
  assert.deepEqual(seen.cancels, ['client left']);
  assert.deepEqual(heard, ['cancel']);
});

test('at most one upstream read is ahead of the client: a slow client holds the upstream back', async () => {
  const { answer, seen } = upstream([text('a'), text('b'), text('c'), text('d'), text('e')]);
  const reader = (await reply(answer, observed().observer)).getReader();
  assert.equal(new TextDecoder().decode((await reader.read()).value), 'a');
  await settle();
  assert.ok(seen.reads <= 2, `${seen.reads} reads with one chunk taken`);
  assert.equal(new TextDecoder().decode((await reader.read()).value), 'b');
  await settle();
  assert.ok(seen.reads <= 3, `${seen.reads} reads with two chunks taken`);
  await reader.cancel();
});

test('when the client went away mid-read the reply errors and the observer hears a cancel', async () => {
  const client = new AbortController();
  const gone = new HttpError(499, 'client closed the connection');
  const { answer } = upstream([text('a'), gone], client.signal);
  client.abort(gone);
  const { heard, observer } = observed();
  await assert.rejects(readAll(await reply(answer, observer)), (error: unknown) => (error as HttpError).status === 499);
  assert.deepEqual(heard, ['cancel']);
});

test('a whole answer is folded as it arrives; an error anywhere fails it', async () => {
  let firsts = 0;
  const whole = await collectWhole(upstream([role, text('a'), `${text('b')}${chunk({}, 'stop')}data: [DONE]\n\n`]).answer, () => firsts++);
  assert.deepEqual([whole.text, whole.finishReason, firsts], ['ab', 'stop', 1]);
  await assert.rejects(collectWhole(upstream([text('a'), 'data: {"error":{"message":"boom"}}\n\n']).answer, () => {}), /boom/);
});

test('a whole answer keeps none of the events it was folded from (a long answer is never held as events)', async () => {
  // The fold's result may hold only the answer itself: no batch, no raw chunk JSON. What it holds is
  // checked with weak references after a full collection (V8's gc, reached the documented way).
  const { setFlagsFromString } = await import('node:v8');
  const { runInNewContext } = await import('node:vm');
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const chunks = Array.from({ length: 50 }, (_, i) => text(`${i} `));
  const answer = upstream([role, ...chunks, `${chunk({}, 'stop')}data: [DONE]\n\n`]).answer;
  const batches: Array<WeakRef<object>> = [];
  const tracked = { ...answer, next: async () => {
    const batch = await answer.next();
    if (batch !== undefined) batches.push(new WeakRef(batch));
    return batch;
  } };
  const whole = await collectWhole(tracked, () => {});
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  assert.equal(whole.text.split(' ').length, 51);
  assert.ok(batches.length >= 50);
  assert.deepEqual(batches.filter((ref) => ref.deref() !== undefined).length, 0, 'no event batch outlives the fold');
});
