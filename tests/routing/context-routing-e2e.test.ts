// Context-aware routing against the offline OpenRouter (which counts a token per 3 characters, more
// than the proxy's estimate of one per 4): a prompt goes only to models that can hold it, an
// upstream overflow moves on to a larger model, and a prompt no model can hold costs nothing upstream.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startProxy } from '../helpers/harness.ts';
import { FREE_CHAT_ORDER, getJson, modelsTried } from '../helpers/free-mode-helpers.ts';
import { APIS, askIn, writeFilter } from '../helpers/quota-helpers.ts';
import { errorMessage } from '../helpers/reliability-helpers.ts';

const GEMINI = FREE_CHAT_ORDER[0] as string;
const LLAMA = 'meta-llama/llama-3.3-70b-instruct:free'; // its top provider serves 65,536 tokens
const text = (chars: number) => 'x'.repeat(chars);

test('a prompt that fits the requested model goes there, with one upstream request', async (t) => {
  const proxy = await startProxy(t);
  const reply = await askIn(proxy, 'ollama', { model: 'llama-3.3-70b-instruct:free', text: text(40_000) });
  assert.equal(reply.status, 200);
  assert.deepEqual(modelsTried(proxy), [LLAMA]);
});

test('a model too small for the prompt is not tried: the request goes to the next that can hold it', async (t) => {
  const proxy = await startProxy(t);
  // 400,000 characters: about 100,000 tokens, at least 80,000 (more than Llama's 65,536).
  const reply = await askIn(proxy, 'ollama', { model: 'llama-3.3-70b-instruct:free', text: text(400_000) });
  assert.equal(reply.status, 200);
  assert.deepEqual(modelsTried(proxy), [GEMINI], 'one upstream request, to a model that can hold it');
});

test("an upstream context overflow (the estimate was low) moves on to a larger model, with no cooldown", async (t) => {
  const proxy = await startProxy(t);
  // 200,000 characters: estimated 50,000 tokens (at least 40,000), so Llama is worth a try; the
  // offline OpenRouter counts 66,667 and answers OpenRouter's 400.
  const reply = await askIn(proxy, 'ollama', { model: 'llama-3.3-70b-instruct:free', text: text(200_000) });
  assert.equal(reply.status, 200);
  assert.deepEqual(modelsTried(proxy), [LLAMA, GEMINI]);
  assert.equal(reply.attempts, '2');
  assert.equal(proxy.store.get(LLAMA), undefined, 'no cooldown: the model is fine, the prompt was too long for it');
});

test('after an overflow, models smaller than the prompt OpenRouter counted are skipped too', async (t) => {
  const proxy = await startProxy(t);
  writeFilter(proxy, 'llama\nmistral\ngemini\n');
  // Mistral (128,000) is asked first; OpenRouter counts 133,334 tokens of text: Llama (65,536) is skipped, Gemini answers.
  const reply = await askIn(proxy, 'ollama', { model: 'mistral-small-3.1-24b-instruct:free', text: text(400_000 + 1) });
  assert.equal(reply.status, 200);
  assert.deepEqual(modelsTried(proxy), ['mistralai/mistral-small-3.1-24b-instruct:free', GEMINI]);
});

for (const api of APIS) {
  test(`a prompt no visible model can hold: a 400 in ${api}'s shape naming the estimate and the largest context, nothing upstream`, async (t) => {
    const proxy = await startProxy(t);
    writeFilter(proxy, 'chat-7b\n'); // acme (8,192) and other (4,096)
    const reply = await askIn(proxy, api, { model: 'x', text: text(60_000) });
    assert.equal(reply.status, 400, reply.text);
    const message = errorMessage(api === 'anthropic' ? 'anthropic' : api === 'ollama' ? 'ollama' : 'openai', reply.text);
    assert.match(message, /^prompt is too long: 15003 tokens > 8192 maximum \(an estimate, at least 12003 tokens; the largest context among the 2 free models that could serve this request is acme\/chat-7b:free's\); nothing was sent upstream$/);
    assert.deepEqual(modelsTried(proxy), []);
    assert.deepEqual(proxy.store.activeCooldowns(proxy.clock.wall()), [], 'nothing cooled down');
    assert.equal((await getJson(proxy, '/status')).body.saved_today.too_large, 1);
  });
}

test('max_tokens is fitted to each model in every API: lowered to its largest completion, dropped when it cannot fit', async (t) => {
  const proxy = await startProxy(t);
  const sent = () => proxy.fake.chatRequests().at(-1) ?? {};
  for (const api of APIS) {
    // Gemini's largest completion is 8,192.
    const lowered = await askIn(proxy, api, { model: 'gemini-2.0-flash-exp:free', text: 'hi', maxTokens: 100_000 });
    assert.equal(lowered.status, 200, `${api}: ${lowered.text}`);
    assert.equal(sent().max_tokens, 8192, api);
    // Acme's 7B serves 8,192 tokens and names no largest completion: a 128,000 ceiling cannot fit, and is dropped.
    const dropped = await askIn(proxy, api, { model: 'acme/chat-7b:free', text: 'hi', maxTokens: 128_000 });
    assert.equal(dropped.status, 200, `${api}: ${dropped.text}`);
    assert.equal(sent().model, 'acme/chat-7b:free');
    assert.equal('max_tokens' in sent(), false, api);
  }
});
