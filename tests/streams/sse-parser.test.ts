import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSseParser, sseEventStage, type SseEvent } from '../../src/streams/sse-parser.ts';
import { stageStream } from '../../src/streams/stage.ts';

function parseAll(chunks: readonly string[]): { events: SseEvent[]; comments: string[] } {
  const events: SseEvent[] = [];
  const comments: string[] = [];
  const parser = createSseParser((event) => events.push(event), (comment) => comments.push(comment));
  for (const chunk of chunks) parser.feed(chunk);
  parser.end();
  return { events, comments };
}

const cases: Array<{ name: string; input: string; events: SseEvent[]; comments?: string[] }> = [
  { name: 'LF endings', input: 'data: a\n\ndata: b\n\n', events: [{ data: 'a' }, { data: 'b' }] },
  { name: 'CRLF endings', input: 'data: a\r\n\r\ndata: b\r\n\r\n', events: [{ data: 'a' }, { data: 'b' }] },
  { name: 'CR endings', input: 'data: a\r\rdata: b\r\r', events: [{ data: 'a' }, { data: 'b' }] },
  { name: 'mixed endings', input: 'data: a\r\n\rdata: b\n\r\n', events: [{ data: 'a' }, { data: 'b' }] },
  { name: 'comments are not events', input: ': OPENROUTER PROCESSING\n\n:x\ndata: a\n\n', events: [{ data: 'a' }], comments: ['OPENROUTER PROCESSING', 'x'] },
  { name: 'multi-line data joins with LF', input: 'data: a\ndata: b\n\n', events: [{ data: 'a\nb' }] },
  { name: 'no space after colon', input: 'data:a\n\n', events: [{ data: 'a' }] },
  { name: 'only one leading space is removed', input: 'data:  a\n\n', events: [{ data: ' a' }] },
  { name: 'event and id fields', input: 'event: error\nid: 7\ndata: x\n\n', events: [{ data: 'x', event: 'error', id: '7' }] },
  { name: 'blank lines without data dispatch nothing', input: '\n\n\nevent: ping\n\n', events: [] },
  { name: 'leading BOM is stripped', input: '\ufeffdata: a\n\n', events: [{ data: 'a' }] },
  { name: 'unknown fields ignored', input: 'retry: 10\nfoo: bar\ndata: a\n\n', events: [{ data: 'a' }] },
  { name: 'trailing event without blank line is dispatched at end', input: 'data: [DONE]', events: [{ data: '[DONE]' }] },
  { name: 'multibyte content', input: 'data: 東京🚀\n\n', events: [{ data: '東京🚀' }] },
];

for (const { name, input, events, comments } of cases) {
  test(`SSE parser: ${name}, split at every offset`, () => {
    const whole = parseAll([input]);
    assert.deepEqual(whole.events, events);
    if (comments) assert.deepEqual(whole.comments, comments);
    for (let i = 0; i <= input.length; i++) {
      assert.deepEqual(parseAll([input.slice(0, i), input.slice(i)]).events, events, `split at ${i}`);
    }
    assert.deepEqual(parseAll([...input]).events, events, 'one character at a time');
  });
}

test('SSE parser: a CR at the end of one chunk and LF at the start of the next is one line break', () => {
  assert.deepEqual(parseAll(['data: a\r', '\ndata: b\r', '\n\r', '\n']).events, [{ data: 'a\nb' }]);
});

test('the SSE stage emits the events of each text chunk as one batch', async () => {
  const batches = await Array.fromAsync(ReadableStream.from([': keep-alive\n\nda', 'ta: 1\n\ndata: 2\n', '\n', 'data: 3\n\ndata: 4\n\n', 'data: 5']).pipeThrough(stageStream(sseEventStage())));
  assert.deepEqual(batches, [[{ data: '1' }], [{ data: '2' }], [{ data: '3' }, { data: '4' }], [{ data: '5' }]]);
});
