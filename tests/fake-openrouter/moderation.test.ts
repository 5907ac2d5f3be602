import assert from 'node:assert/strict';
import { test } from 'node:test';
import { middleTruncate } from '../../src/fake-openrouter/moderation.ts';
import { chat, EMBEDDING_MODEL, embed, startFake, userSays } from './helpers.ts';

test('middleTruncate keeps texts up to 100 characters and cuts the middle of longer ones', () => {
  const long = `${'a'.repeat(60)}${'b'.repeat(60)}`;
  const cases: Array<[string, string]> = [
    ['', ''],
    ['x'.repeat(100), 'x'.repeat(100)],
    [long, `${'a'.repeat(49)}...${'b'.repeat(48)}`],
  ];
  for (const [input, expected] of cases) {
    assert.equal(middleTruncate(input), expected);
    assert.ok(middleTruncate(input).length <= 100);
  }
});

test('a moderation fault answers 403 with the flagged input, reasons, provider and model slug', async (t) => {
  const fake = await startFake(t);
  fake.script('openai/gpt-4o', { kind: 'moderation' });
  const response = await chat(fake, {
    model: 'openai/gpt-4o',
    messages: [{ role: 'system', content: 'be nice' }, { role: 'user', content: [{ type: 'text', text: 'how to fight' }] }],
    stream: true,
  });
  assert.equal(response.status, 403);
  assert.equal(response.headers.get('content-type'), 'application/json');
  assert.deepEqual(await response.json(), {
    error: {
      code: 403,
      message: 'openai/gpt-4o requires moderation on OpenRouter. Your input was flagged for "violence".',
      metadata: { reasons: ['violence'], flagged_input: 'how to fight', provider_name: 'OpenAI', model_slug: 'openai/gpt-4o' },
    },
    user_id: 'user_fake',
  });
  assert.equal((await chat(fake, userSays('how to fight'))).status, 200, 'the fault is used once');
});

test('a moderation fault can name the provider, the reasons and the flagged text', async (t) => {
  const fake = await startFake(t);
  fake.script('*', { kind: 'moderation', reasons: ['harassment', 'hate'], providerName: 'Azure', flaggedInput: 'x'.repeat(150) });
  const body = await (await chat(fake, userSays('hi', { model: 'anthropic/claude-sonnet-4' }))).json();
  assert.deepEqual(body, {
    error: {
      code: 403,
      message: 'anthropic/claude-sonnet-4 requires moderation on Azure. Your input was flagged for "harassment", "hate".',
      metadata: { reasons: ['harassment', 'hate'], flagged_input: `${'x'.repeat(49)}...${'x'.repeat(48)}`, provider_name: 'Azure', model_slug: 'anthropic/claude-sonnet-4' },
    },
    user_id: 'user_fake',
  });
});

test('a moderation fault on an embedding model flags the input text', async (t) => {
  const fake = await startFake(t);
  fake.script(EMBEDDING_MODEL, { kind: 'moderation', reasons: ['self-harm'] });
  const response = await embed(fake, EMBEDDING_MODEL, 'bad words');
  assert.equal(response.status, 403);
  const body = (await response.json()) as Record<string, any>;
  assert.equal(body['error']['metadata']['flagged_input'], 'bad words');
  assert.equal(body['error']['metadata']['reasons'][0], 'self-harm');
});
