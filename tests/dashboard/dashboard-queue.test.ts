// A dashboard that stops reading is dropped once 1 MiB of events waits for it, however few events
// that is: rows with long errors are kilobytes each. Its memory stays bounded by bytes, not by count.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { handleStatusEvents } from '../../src/handlers/dashboard-events.ts';
import type { HandlerContext } from '../../src/serving/context.ts';
import type { ParsedRequest } from '../../src/http/url-router.ts';
import { startProxy } from '../helpers/harness.ts';

test('a reader that never reads is dropped after 1 MiB queued, and never holds more', async (t) => {
  const proxy = await startProxy(t);
  // What the event stream reads of the context: the proxy's own parts.
  const context = { config: proxy.config, catalog: proxy.app.catalog, router: proxy.app.router, store: proxy.store, clock: proxy.clock, requests: proxy.app.requests, recording: () => ({ mode: 'off' }), apiLabels: {} } as unknown as HandlerContext;
  const client = new AbortController();
  t.after(() => client.abort());
  const reply = handleStatusEvents(context, { signal: client.signal } as ParsedRequest, { heartbeatMs: 3_600_000, settleMs: 3_600_000 });
  assert.ok('stream' in reply);
  assert.equal(proxy.app.requests.subscribers(), 1);
  // 400 failed requests, each a few kilobytes of rows: 1,200 events, fewer than the old 2,000-event cap.
  for (let i = 0; i < 400 && proxy.app.requests.subscribers() > 0; i++) {
    const entry = proxy.app.requests.begin({ api: 'ollama', requested: `model-${i}-${'m'.repeat(5_000)}` });
    entry.attempt({ model: 'qwen/qwen3-coder:free', outcome: 'transient', status: 502, error: 'e'.repeat(1_000), ms: 1 });
    entry.end({ status: 502 });
  }
  assert.equal(proxy.app.requests.subscribers(), 0, 'the reader was dropped');
  // What it held: everything queued up to the drop, read now.
  let bytes = 0;
  for await (const chunk of reply.stream) bytes += chunk.byteLength;
  assert.ok(bytes < 1024 * 1024 + 64 * 1024, `${bytes} bytes queued`);
  // The requested name is cut in the rows: 5,000 characters of it would be in every event.
  assert.ok(proxy.app.requests.recent().every((row) => row.requested.length <= 201));
});
