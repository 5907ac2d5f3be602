// Running out of file descriptors is the proxy's own limit, not OpenRouter being down: the client is
// told what it is, no model is cooled down for it, and no outage is declared.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startProxy } from '../helpers/harness.ts';
import { call, errorMessage } from '../helpers/reliability-helpers.ts';

/** What undici throws when the socket for a new connection cannot be created. */
function emfile(): TypeError {
  const cause = Object.assign(new Error('connect EMFILE 127.0.0.1:443 - Local (undefined:undefined)'), { code: 'EMFILE', errno: -24, syscall: 'connect' });
  return new TypeError('fetch failed', { cause });
}

test('EMFILE on the way to OpenRouter: a 503 that names it, one attempt, no cooldown, no outage', async (t) => {
  let chats = 0;
  const proxy = await startProxy(t, {
    limits: {},
    fetch: async (input, init) => {
      if (String(input).endsWith('/chat/completions')) {
        chats++;
        throw emfile();
      }
      return fetch(input, init);
    },
  });
  for (let i = 0; i < 4; i++) {
    for (const [path, shape, stream] of [['/api/chat', 'ollama', false], ['/v1/chat/completions', 'openai', true]] as const) {
      const answer = await call(proxy, path, { body: { model: 'qwen3-coder:free', stream, messages: [{ role: 'user', content: 'hi' }] } });
      assert.equal(answer.status, 503, answer.text);
      const message = errorMessage(shape, answer.text);
      assert.match(message, /run out of file descriptors .*\(EMFILE\)/);
      assert.doesNotMatch(message, /appears to be down|cannot reach/);
    }
  }
  // Every model would fail alike: one attempt per request, and nobody's fault.
  assert.equal(chats, 8);
  assert.deepEqual(proxy.store.activeCooldowns(Date.now()), []);
  const status = JSON.parse((await call(proxy, '/status')).text);
  assert.equal(status.outage.active, false);
});
