import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AUTH, chat, EMBEDDING_MODEL, embed, FREE_MODEL, startFake, userSays } from './helpers.ts';
import type { Json } from './helpers.ts';

const statuses = [
  { status: 500 as const, body: { error: { code: 500, message: 'Internal Server Error' }, user_id: 'user_fake' } },
  { status: 502 as const, body: { error: { code: 502, message: 'Provider returned error' }, user_id: 'user_fake' } },
  { status: 503 as const, body: { error: { code: 503, message: 'Service temporarily unavailable' }, user_id: 'user_fake' } },
  // A 401 outage plays a revoked key: the body of an unknown key.
  { status: 401 as const, body: { error: { code: 401, message: 'User not found.' }, user_id: 'user_fake' } },
];

for (const { status, body } of statuses) {
  test(`a ${status} outage fails chat (streamed or not) and embeddings for every model with OpenRouter's body`, async (t) => {
    const fake = await startFake(t);
    fake.outage({ status, durationMs: 60_000 });
    for (const request of [chat(fake, userSays('hi')), chat(fake, userSays('hi', { model: FREE_MODEL, stream: true })), embed(fake, EMBEDDING_MODEL, 'x')]) {
      const response = await request;
      assert.equal(response.status, status);
      assert.equal(response.headers.get('content-type'), 'application/json');
      assert.equal(response.headers.get('retry-after'), null);
      assert.deepEqual(await response.json(), body);
    }
    assert.equal((await fetch(`${fake.url}/models`)).status, 200, 'GET /models is not part of the outage');
    assert.equal((await fetch(`${fake.url}/key`, { headers: AUTH })).status, 200, 'GET /key is not part of the outage');
    assert.deepEqual({ ...fake.outageStatus(), endsAt: null }, { active: true, endsAt: null, refused: 3 });
  });
}

test('an outage ends by itself after durationMs; Retry-After and message as asked; requests stay logged', async (t) => {
  const fake = await startFake(t);
  const started = fake.outage({ status: 503, durationMs: 1000, retryAfterSeconds: 5, message: 'Upstream overloaded' });
  assert.equal(started.active, true);
  const refused = await chat(fake, userSays('hi'));
  assert.equal(refused.status, 503);
  assert.equal(refused.headers.get('retry-after'), '5');
  assert.deepEqual(await refused.json(), { error: { code: 503, message: 'Upstream overloaded' }, user_id: 'user_fake' });
  const ended = await fake.outageEnded();
  assert.deepEqual(ended, { active: false, endsAt: started.endsAt, refused: 1 });
  assert.ok(Date.now() >= (started.endsAt ?? Infinity));
  assert.equal((await chat(fake, userSays('hi'))).status, 200);
  assert.equal(fake.outageStatus().refused, 1, 'requests after the end are not counted');
  assert.equal(fake.chatRequests().length, 2, 'refused requests are still in the requests log');
});

test('a reset outage drops the connection before any header', async (t) => {
  const fake = await startFake(t);
  fake.outage({ status: 'reset', durationMs: 60_000 });
  await assert.rejects(chat(fake, userSays('hi')), (error: Error) => error instanceof TypeError);
  await assert.rejects(embed(fake, EMBEDDING_MODEL, 'x'), TypeError);
  assert.equal(fake.outageStatus().refused, 2);
  assert.equal(fake.abortedStreams(), 0, 'a reset by the fake is not a client abort');
  fake.endOutage();
  assert.equal((await chat(fake, userSays('hi'))).status, 200);
});

test('includeReadRoutes also fails GET /models and GET /key', async (t) => {
  const fake = await startFake(t);
  fake.outage({ status: 502, durationMs: 60_000, includeReadRoutes: true });
  for (const path of ['/models', '/models/count', '/key', '/auth/key']) {
    const response = await fetch(`${fake.url}${path}`, { headers: AUTH });
    assert.equal(response.status, 502, path);
    assert.equal(((await response.json()) as Json)['error']['message'], 'Provider returned error');
  }
});

test('a new outage replaces the running one and settles its waiters', async (t) => {
  const fake = await startFake(t);
  fake.outage({ status: 500, durationMs: 60_000 });
  const first = fake.outageEnded();
  fake.outage({ status: 401, durationMs: 60_000 });
  assert.equal((await first).active, false);
  assert.equal((await chat(fake, userSays('hi'))).status, 401);
  fake.reset();
  assert.equal(fake.outageStatus().active, false, 'reset() ends the outage');
  assert.equal((await chat(fake, userSays('hi'))).status, 200);
});

test('the /__fake/outage control surface starts, shows and ends an outage', async (t) => {
  const fake = await startFake(t);
  const control = `${fake.url.replace(/\/api\/v1$/, '')}/__fake/outage`;
  const post = (body: unknown) => fetch(control, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const started = (await (await post({ status: 503, durationMs: 60_000, retryAfterSeconds: 2 })).json()) as Json;
  assert.equal(started['outage']['active'], true);
  assert.equal(typeof started['outage']['endsAt'], 'number');
  const refused = await chat(fake, userSays('hi'));
  assert.equal(refused.status, 503);
  assert.equal(refused.headers.get('retry-after'), '2');
  assert.equal(((await (await fetch(control)).json()) as Json)['outage']['refused'], 1);
  const ended = (await (await fetch(control, { method: 'DELETE' })).json()) as Json;
  assert.deepEqual(ended['outage'], { active: false, endsAt: started['outage']['endsAt'], refused: 1 });
  assert.equal((await chat(fake, userSays('hi'))).status, 200);
});

const badBodies = [
  { body: { status: 404, durationMs: 10 }, message: 'status must be 500, 502, 503, 401, 429 or "reset"' },
  { body: { status: 503 }, message: 'durationMs must be a positive number' },
  { body: { status: 503, durationMs: 10, retryAfterSeconds: 1.5 }, message: 'retryAfterSeconds must be a whole number' },
  { body: [], message: 'expected a JSON object' },
];

test('the control surface rejects a malformed outage with a 400 that says why', async (t) => {
  const fake = await startFake(t);
  const control = `${fake.url.replace(/\/api\/v1$/, '')}/__fake/outage`;
  for (const { body, message } of badBodies) {
    const response = await fetch(control, { method: 'POST', body: JSON.stringify(body) });
    assert.equal(response.status, 400);
    assert.equal(((await response.json()) as Json)['error']['message'], message);
  }
  assert.equal(fake.outageStatus().active, false);
  assert.equal((await fetch(`${control}/nope`)).status, 404);
});
