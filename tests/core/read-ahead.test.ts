// The commit point and the outcome watch over a pull-based part source, and the one reply stream
// built from it: outcome recorded once (clean end → success, error part → failure, cancel → neither),
// nothing read ahead of the client, cancel reaching the source.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChatPart } from '../../src/chat/parts.ts';
import { readToFirstContent, watchOutcome } from '../../src/core/read-ahead.ts';
import { UpstreamError } from '../../src/errors.ts';
import { partSourceOf, partSourceStream, type PartSource } from '../../src/streams/part-source.ts';
import type { Stage } from '../../src/streams/stage.ts';

const role: ChatPart = { type: 'chunk', chunk: { choices: [{ index: 0, delta: { role: 'assistant' } }] }, data: '{}' };
const text = (content: string): ChatPart => ({ type: 'chunk', chunk: { choices: [{ index: 0, delta: { content } }] }, data: content });
const failure = (message: string): ChatPart => ({ type: 'error', error: new UpstreamError(502, message, 'transient') });

/** A source over batches that counts pulls and records cancels. */
function counted(batches: ChatPart[][]) {
  const inner = partSourceOf(batches);
  const seen = { pulls: 0, cancels: [] as unknown[] };
  const source: PartSource = {
    next: () => (seen.pulls++, inner.next()),
    cancel: (reason) => (seen.cancels.push(reason ?? 'cancelled'), inner.cancel(reason)),
  };
  return { source, seen };
}

function outcomes() {
  const recorded: string[] = [];
  return { recorded, hooks: { onFailure: (error: UpstreamError) => void recorded.push(`failure: ${error.message}`), onCleanEnd: () => void recorded.push('success') } };
}

// Each content chunk becomes its text; role announcements become nothing; flush writes "|end".
const textStage: Stage<ChatPart[], string> = {
  transform(batch, sink) {
    for (const part of batch) {
      const content = part.type === 'chunk' ? part.chunk.choices?.[0]?.delta?.content : `!${part.error.message}`;
      if (content) sink.enqueue(content);
    }
  },
  flush: (sink) => sink.enqueue('|end'),
};

async function readAll(stream: ReadableStream<string>): Promise<string> {
  let out = '';
  for await (const piece of stream) out += piece;
  return out;
}

test('read-ahead stops at the first content and replays it; a clean end is recorded once as success', async () => {
  const { source, seen } = counted([[role], [text('a')], [text('b')]]);
  const ahead = await readToFirstContent(source);
  assert.equal(seen.pulls, 2, 'nothing is read past the first content');
  const { recorded, hooks } = outcomes();
  assert.equal(await readAll(partSourceStream(watchOutcome(ahead, hooks), textStage)), 'ab|end');
  assert.deepEqual(recorded, ['success']);
});

test('an error before the first content is thrown (so the attempt falls back) and the source is cancelled', async () => {
  const { source, seen } = counted([[role], [failure('overloaded')]]);
  await assert.rejects(readToFirstContent(source), /overloaded/);
  assert.equal(seen.cancels.length, 1);
});

test('an error after the commit point travels inside the stream and is recorded once as a failure', async () => {
  const { source } = counted([[text('a')], [text('b'), failure('reset')]]);
  const { recorded, hooks } = outcomes();
  assert.equal(await readAll(partSourceStream(watchOutcome(await readToFirstContent(source), hooks), textStage)), 'ab!reset|end');
  assert.deepEqual(recorded, ['failure: reset']);
});

test('a client that cancels records neither outcome, and the cancel reaches the source', async () => {
  const { source, seen } = counted([[text('a')], [text('b')], [text('c')]]);
  const { recorded, hooks } = outcomes();
  const reader = partSourceStream(watchOutcome(await readToFirstContent(source), hooks), textStage).getReader();
  assert.equal((await reader.read()).value, 'a');
  await reader.cancel('client left');
  assert.deepEqual(seen.cancels, ['client left']);
  assert.deepEqual(recorded, []);
});

test('the reply stream pulls the source only when its reader asks, and skips batches that encode to nothing', async () => {
  const { source, seen } = counted([[role], [role], [text('a')], [text('b')]]);
  const reader = partSourceStream(source, textStage).getReader();
  await Promise.resolve();
  assert.equal(seen.pulls, 0, 'no read-ahead: a slow client holds the upstream back');
  assert.equal((await reader.read()).value, 'a');
  assert.equal(seen.pulls, 3);
  assert.equal((await reader.read()).value, 'b');
  assert.equal(seen.pulls, 4);
});

test('a source that rejects (the client went away) errors the reply stream and records nothing', async () => {
  const { recorded, hooks } = outcomes();
  const gone = new UpstreamError(499, 'client closed the connection', 'transient');
  const source: PartSource = { next: () => Promise.reject(gone), cancel: async () => {} };
  const stream = partSourceStream(watchOutcome({ buffered: [[text('a')]], source }, hooks), textStage);
  await assert.rejects(readAll(stream), (error: unknown) => error === gone);
  assert.deepEqual(recorded, []);
});
