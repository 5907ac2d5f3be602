// The web adapter on its own, with a stand-in `handle`: what the handler's signal learns and what
// becomes of its reply stream when the client aborts, cancels, or reads to the end, as the node
// adapter does with a socket (see tests/http/app-request.test.ts for the two compared end to end).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HttpError } from '../../src/errors.ts';
import type { AppRequest } from '../../src/http/handle.ts';
import type { Reply } from '../../src/http/url-router.ts';
import { answerWebRequest } from '../../src/http/web-adapter.ts';

/** A reply stream that records its cancellation, and a handle that answers with it (after `gate`, if given). */
function streamingHandle(gate?: Promise<void>) {
  const seen: { signal?: AbortSignal; cancelled?: unknown; controller?: ReadableStreamDefaultController<Uint8Array> } = {};
  const stream = new ReadableStream<Uint8Array>({
    start: (controller) => void (seen.controller = controller),
    cancel: (reason) => void (seen.cancelled = reason ?? 'cancelled'),
  });
  const handle = async (request: AppRequest): Promise<Reply> => {
    seen.signal = request.signal;
    await gate;
    return { stream, contentType: 'application/x-ndjson' };
  };
  return { seen, handle };
}

const noBody = async () => undefined;
const request = (init: RequestInit = {}) => new Request('http://localhost/api/chat', { method: 'POST', ...init });
const line = new TextEncoder().encode('{"a":1}\n');

/** The handler was told the client left, with the node adapter's reason. */
function assertLeft(signal: AbortSignal | undefined): void {
  assert.equal(signal?.aborted, true);
  assert.ok(signal.reason instanceof HttpError && signal.reason.status === 499, String(signal.reason));
}

test('cancelling the body tells the handler the client left, and cancels its reply', async () => {
  const { seen, handle } = streamingHandle();
  const response = await answerWebRequest(request(), handle, noBody);
  seen.controller?.enqueue(line);
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  assert.deepEqual((await reader.read()).value, line);
  assert.equal(seen.signal?.aborted, false);
  await reader.cancel('gone');
  assertLeft(seen.signal);
  assert.equal(seen.cancelled, 'gone');
});

// A body that an abort failed to break would hang its reader: the timeout turns that into a failure.
test('an abort mid-body breaks it with the signal\'s reason, tells the handler, and cancels the reply', { timeout: 5_000 }, async () => {
  const { seen, handle } = streamingHandle();
  const client = new AbortController();
  const response = await answerWebRequest(request({ signal: client.signal }), handle, noBody);
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const reason = new Error('stop');
  client.abort(reason);
  await assert.rejects(reader.read(), (error) => error === reason);
  assertLeft(seen.signal);
  assert.equal(seen.cancelled, reason);
});

test('an abort before the reply rejects with the signal\'s reason, tells the handler, and cancels the late reply', async () => {
  let open = (): void => {};
  const { seen, handle } = streamingHandle(new Promise<void>((resolve) => (open = resolve)));
  const client = new AbortController();
  const answer = answerWebRequest(request({ signal: client.signal }), handle, noBody);
  client.abort();
  await assert.rejects(answer, { name: 'AbortError' });
  assertLeft(seen.signal);
  open();
  await new Promise((resolve) => setImmediate(resolve));
  assert.ok(seen.cancelled !== undefined, 'the reply that came after the abort is cancelled');
  await assert.rejects(answerWebRequest(request({ signal: AbortSignal.abort() }), handle, noBody), { name: 'AbortError' }, 'an aborted signal sends nothing');
});

test('a reply stream that breaks breaks the body and tells the handler, as a closed socket does', async () => {
  const { seen, handle } = streamingHandle();
  const response = await answerWebRequest(request(), handle, noBody);
  const broken = new Error('broken');
  seen.controller?.error(broken);
  await assert.rejects((response.body as ReadableStream<Uint8Array>).getReader().read(), (error) => error === broken);
  assertLeft(seen.signal);
});

test('a body read to its end, or a whole JSON reply, leaves the handler\'s signal alone, even if the client aborts later', async () => {
  const { seen, handle } = streamingHandle();
  const client = new AbortController();
  const response = await answerWebRequest(request({ signal: client.signal }), handle, noBody);
  seen.controller?.enqueue(line);
  seen.controller?.close();
  assert.equal(await response.text(), '{"a":1}\n');
  client.abort();
  assert.equal(seen.signal?.aborted, false);

  let signal: AbortSignal | undefined;
  const later = new AbortController();
  const json = await answerWebRequest(request({ signal: later.signal }), async (appRequest) => ((signal = appRequest.signal), { json: { ok: true } }), noBody);
  later.abort();
  assert.equal(signal?.aborted, false);
  assert.deepEqual(await json.json(), { ok: true });
});

test('HEAD: no body, the headers of the answer, and a streamed reply is cancelled', async () => {
  const { seen, handle } = streamingHandle();
  const response = await answerWebRequest(new Request('http://localhost/dashboard', { method: 'HEAD' }), handle, noBody);
  assert.equal(response.body, null);
  assert.equal(response.headers.get('content-type'), 'application/x-ndjson');
  assert.equal(response.headers.get('x-accel-buffering'), 'no');
  await new Promise((resolve) => setImmediate(resolve));
  assert.ok(seen.cancelled !== undefined);
  const text = await answerWebRequest(new Request('http://localhost/', { method: 'HEAD' }), async () => ({ text: 'Ollama is running' }), noBody);
  assert.equal(text.body, null);
  assert.equal(text.headers.get('content-length'), '17');
});
