// The Responses dialect on a stream that calls a custom (freeform) and a namespaced tool, as Codex
// declares them; and the event sequence rules every expected Responses stream must follow. (The
// shared OpenRouter recordings are replayed for every dialect in tests/dialects/fixture-pairs.test.ts.)
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { CatalogModel } from '../../../src/catalog/model-info.ts';
import { createResponsesDialect } from '../../../src/dialects/responses/chat-dialect.ts';
import { assertEverySplit, assertMatchesFile, collectParts, frozen } from '../../helpers/dialect-fixtures.ts';
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
    assertMatchesFile('responses/custom-and-namespace-tools.sse', await assertEverySplit(bytes, () => dialect.encodeStream(intent, answer)));
  });
  test('the one-object answer', async () => {
    const parts = await collectParts(bytes);
    assert.ok(Array.isArray(parts));
    assertMatchesFile('responses/custom-and-namespace-tools.json', `${JSON.stringify(dialect.nonStream.from === 'parts' && dialect.nonStream.build(intent, parts, answer), null, 2)}\n`);
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
  }
});

