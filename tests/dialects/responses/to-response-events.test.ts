// Fixture pairs: a recorded OpenRouter stream (.sse) and the exact Responses events (.expected.sse)
// and non-stream object (.object.json) it must become. Each input is replayed through the real
// stages split at every byte offset, and must give the same bytes every time.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { toResponseEventsStage } from '../../../src/dialects/responses/to-response-events.ts';
import { toResponseObject } from '../../../src/dialects/responses/to-response-object.ts';
import { chatPartStage, type ChatPart } from '../../../src/streams/chat-parts.ts';
import { sseEventStage } from '../../../src/streams/sse-parser.ts';
import { chain, stageStream } from '../../../src/streams/stage.ts';
import { utf8DecodeStage } from '../../../src/streams/utf8-decode.ts';
import { fixtureContext } from './fixture-context.ts';

const FIXTURES = ['content-multibyte', 'reasoning-crlf', 'tool-calls', 'error-after-content-cr', 'custom-and-namespace-tools'];
const read = (name: string): Buffer => readFileSync(new URL(`../../fixtures/dialects/responses/${name}`, import.meta.url));

async function toEvents(chunks: readonly Uint8Array[]): Promise<string> {
  const upstream = chain(chain(utf8DecodeStage(), sseEventStage()), chatPartStage(() => 0));
  const stream = ReadableStream.from(chunks).pipeThrough(stageStream(upstream)).pipeThrough(stageStream(toResponseEventsStage(fixtureContext())));
  const decoder = new TextDecoder();
  let out = '';
  for await (const chunk of stream) out += decoder.decode(chunk, { stream: true });
  return out + decoder.decode();
}

async function toParts(bytes: Uint8Array): Promise<ChatPart[]> {
  const upstream = chain(chain(utf8DecodeStage(), sseEventStage()), chatPartStage(() => 0));
  const batches = await Array.fromAsync(ReadableStream.from([bytes]).pipeThrough(stageStream(upstream)));
  return batches.flat();
}

describe('responses events: fixture pairs at every byte split', () => {
  for (const name of FIXTURES) {
    test(name, async () => {
      const input = read(`${name}.sse`);
      const expected = read(`${name}.expected.sse`).toString('utf8');
      assert.equal(await toEvents([input]), expected);
      for (let offset = 1; offset < input.length; offset++) {
        const got = await toEvents([input.subarray(0, offset), input.subarray(offset)]);
        if (got !== expected) assert.equal(got, expected, `split at byte ${offset}`);
      }
    });
  }
});

describe('responses events: sequence', () => {
  for (const name of FIXTURES) {
    test(`${name}: sequence numbers count from 0, one terminal event, last`, async () => {
      const events = read(`${name}.expected.sse`).toString('utf8').trimEnd().split('\n\n').map((block) => {
        const [eventLine, dataLine] = block.split('\n');
        const data = JSON.parse((dataLine ?? '').slice('data: '.length)) as { type: string; sequence_number: number };
        assert.equal(eventLine, `event: ${data.type}`);
        return data;
      });
      assert.deepEqual(events.map((event) => event.sequence_number), events.map((_, index) => index));
      assert.deepEqual(events.slice(0, 2).map((event) => event.type), ['response.created', 'response.in_progress']);
      const terminal = events.filter((event) => event.type === 'response.completed' || event.type === 'response.failed');
      assert.deepEqual(terminal, [events.at(-1)]);
    });
  }
});

describe('responses object: built from the collected parts', () => {
  for (const name of FIXTURES.filter((fixture) => !fixture.startsWith('error'))) {
    test(name, async () => {
      const expected = JSON.parse(read(`${name}.object.json`).toString('utf8'));
      assert.deepEqual(toResponseObject(fixtureContext(), await toParts(read(`${name}.sse`))), expected);
    });
  }
});
