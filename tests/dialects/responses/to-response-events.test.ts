// The Responses dialect on a stream that calls a custom (freeform) and a namespaced tool, as Codex
// declares them; and the event sequence rules every expected Responses stream must follow. (The
// shared OpenRouter recordings are replayed for every dialect in tests/dialects/fixture-pairs.test.ts.)
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { CatalogModel } from '../../../src/catalog/model-info.ts';
import { createResponsesDialect } from '../../../src/dialects/responses/chat-dialect.ts';
import { assertEverySplit, assertMatchesFile, collectAnswerOf, frozen } from '../../helpers/dialect-fixtures.ts';
import { counterIds } from './fixture-context.ts';
import { assertOneItemAtATime } from '../../helpers/responses-events.ts';

const folder = new URL('../../fixtures/dialects/responses/', import.meta.url);
const answer = { model: { id: 'openai/gpt-4o', name: 'gpt-4o' } as CatalogModel, timing: frozen.timing, clock: frozen.clock };
const dialect = createResponsesDialect(counterIds);
const intent = dialect.parse({
  model: 'gpt-oss:20b', input: 'patch it', stream: true,
  tools: [
    { type: 'custom', name: 'apply_patch', description: 'Edit files', format: { type: 'grammar', syntax: 'lark', definition: 'start: /.+/' } },
    { type: 'namespace', name: 'multi_agent_v1', description: 'Sub-agents', tools: [{ type: 'function', name: 'spawn_agent', parameters: { type: 'object', properties: { task: { type: 'string' } } } }] },
  ],
}, { freeMode: true });

describe('responses dialect: custom and namespaced tool calls', () => {
  const bytes = readFileSync(new URL('upstream/custom-and-namespace-tools.sse', folder));
  test('the stream, at every byte split', async () => {
    assertMatchesFile('responses/custom-and-namespace-tools.sse', await assertEverySplit(bytes, () => dialect.encode(intent, answer)));
  });
  test('the one-object answer', async () => {
    const collected = await collectAnswerOf(bytes);
    assert.ok(!('error' in collected));
    assertMatchesFile('responses/custom-and-namespace-tools.json', `${JSON.stringify(dialect.collect.from === 'answer' && dialect.collect.build(intent, collected, answer), null, 2)}\n`);
  });
});

describe('responses dialect: every expected stream follows the event rules', () => {
  for (const name of readdirSync(folder).filter((file) => file.endsWith('.sse'))) {
    test(`${name}: sequence numbers count from 0; created and in_progress first; one terminal event, last; one item at a time`, () => {
      const events = readFileSync(new URL(name, folder), 'utf8').trimEnd().split('\n\n').map((block) => {
        const [eventLine, dataLine] = block.split('\n');
        const data = JSON.parse((dataLine ?? '').slice('data: '.length)) as { type: string; sequence_number: number };
        assert.equal(eventLine, `event: ${data.type}`);
        return data;
      });
      assert.deepEqual(events.map((event) => event.sequence_number), events.map((_, index) => index));
      assert.deepEqual(events.slice(0, 2).map((event) => event.type), ['response.created', 'response.in_progress']);
      const terminal = events.filter((event) => event.type === 'response.completed' || event.type === 'response.failed');
      assert.deepEqual(terminal, [events.at(-1)]);
      assertOneItemAtATime(events, terminal[0]?.type === 'response.failed');
    });
    test(`${name}: items come one after another, as OpenAI sends them (pi keeps one current item)`, () => {
      const events = readFileSync(new URL(name, folder), 'utf8').trimEnd().split('\n\n').map((block) => JSON.parse(block.split('\n')[1]!.slice('data: '.length)) as { type: string; output_index?: number });
      let open: number | undefined;
      for (const event of events) {
        if (event.type === 'response.output_item.added') {
          assert.equal(open, undefined, `item ${event.output_index} added while item ${open} is open`);
          open = event.output_index;
        } else if (event.type === 'response.output_item.done') {
          assert.equal(event.output_index, open);
          open = undefined;
        } else if (event.output_index !== undefined) {
          assert.equal(event.output_index, open, `${event.type} for item ${event.output_index} while item ${open} is open`);
        }
      }
    });
  }
});

