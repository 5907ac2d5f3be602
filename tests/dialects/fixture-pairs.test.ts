// Every dialect against every recorded OpenRouter stream: the exact stream bytes it sends (whatever
// the network split), and the exact one-object answer it builds from the same stream.
import { test } from 'node:test';
import type { CatalogModel } from '../../src/catalog/model-info.ts';
import type { ChatDialect, ChatIntent } from '../../src/serving/dialect.ts';
import { ollamaChat, ollamaGenerate } from '../../src/dialects/ollama/chat-dialect.ts';
import { openAIChat, openAICompletions } from '../../src/dialects/openai/chat-dialect.ts';
import { createResponsesDialect } from '../../src/dialects/responses/chat-dialect.ts';
import { assertEverySplit, assertMatchesFile, collectAnswerOf, frozen, openRouterStreams } from '../helpers/dialect-fixtures.ts';
import { counterIds } from './responses/fixture-context.ts';

interface DialectCase {
  name: string;
  dialect: ChatDialect<ChatIntent>;
  body: unknown;
  streamExtension: string;
}

const model = { id: 'openai/gpt-4o', name: 'gpt-4o' } as CatalogModel;
const answer = { model, timing: frozen.timing, clock: frozen.clock };

const cases: DialectCase[] = [
  { name: 'ollama-chat', dialect: ollamaChat, body: { model: 'm', messages: [{ role: 'user', content: 'hi' }] }, streamExtension: 'ndjson' },
  { name: 'ollama-generate', dialect: ollamaGenerate, body: { model: 'm', prompt: 'hi' }, streamExtension: 'ndjson' },
  { name: 'openai-chat', dialect: openAIChat, body: { model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true }, streamExtension: 'sse' },
  { name: 'openai-completions', dialect: openAICompletions, body: { model: 'm', prompt: 'hi', stream: true }, streamExtension: 'sse' },
  { name: 'responses', dialect: createResponsesDialect(counterIds), body: { model: 'm', input: 'hi', stream: true }, streamExtension: 'sse' },
];

for (const { name, dialect, body, streamExtension } of cases) {
  const intent = dialect.parse(body, { freeMode: true });
  for (const fixture of openRouterStreams()) {
    const base = fixture.name.replace(/\.sse$/, '');
    test(`${name} × ${fixture.name}: the stream, at every byte split`, async () => {
      const output = await assertEverySplit(fixture.bytes, () => dialect.encode(intent, answer));
      assertMatchesFile(`${name}/${base}.${streamExtension}`, output);
    });
    const nonStream = dialect.collect;
    if (nonStream.from === 'answer') {
      test(`${name} × ${fixture.name}: the one-object answer`, async () => {
        const collected = await collectAnswerOf(fixture.bytes);
        // A failed stream never reaches the builder: the core falls back or answers the error instead.
        const built = 'error' in collected ? collected : nonStream.build(intent, collected, answer);
        assertMatchesFile(`${name}/${base}.json`, `${JSON.stringify(built, null, 2)}\n`);
      });
    }
  }
}
