// The page at scale: a 1,000-model catalog and a stream of requests. The live table stays at 200
// rows, newest first; the longest main-thread task is reported (not asserted: timings vary by machine).
// The proxy has a socket: Chromium needs one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateCatalog } from '../../src/fake-openrouter/server.ts';
import { post, startProxy } from '../helpers/harness.ts';
import { launch, openPage, skipReason } from './browser.ts';

// The callbacks handed to page.evaluate run in Chromium; the project compiles without the DOM types.
declare const document: any;
declare const PerformanceObserver: any;

const REQUESTS = 230;

test('1,000 models and 230 requests: every model listed, the newest 200 requests kept', { skip: skipReason() }, async (t) => {
  const proxy = await startProxy(t, { fake: { models: generateCatalog(1000, 7) }, socket: true });
  const visible = proxy.app.router.visibleModels();
  assert.ok(visible.length >= 300, `only ${visible.length} visible models`);
  const browser = await launch(t);
  const { page, errors } = await openPage(browser, 1280, 800);
  await page.evaluateOnNewDocument(() => {
    (globalThis as any).longest = 0;
    new PerformanceObserver((list: any) => {
      for (const entry of list.getEntries()) (globalThis as any).longest = Math.max((globalThis as any).longest, entry.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(`${proxy.url}/dashboard`);
  await page.waitForFunction((count) => document.querySelectorAll('#models tr').length === count, {}, visible.length);
  const chatModel = visible.find((model) => model.capabilities.completion && !model.capabilities.thinking) ?? assert.fail('no chat model');
  for (let i = 0; i < REQUESTS; i++) {
    const reply = await post(proxy.url, '/api/chat', { model: `load-${i}`, stream: i % 2 === 0, messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(reply.status, 200);
  }
  await page.waitForFunction((name) => document.querySelector('#requests tr')?.children[2]?.textContent === name, {}, `load-${REQUESTS - 1}`);
  const asked = await page.$$eval('#requests tr', (rows) => rows.map((row) => row.children[2]?.textContent));
  assert.equal(asked.length, 200);
  assert.deepEqual(asked, Array.from({ length: 200 }, (_, i) => `load-${REQUESTS - 1 - i}`));
  await page.type('#model-filter', chatModel.id);
  await page.waitForFunction((id) => [...document.querySelectorAll('#models tr')].every((row: any) => row.textContent.includes(id)), {}, chatModel.id);
  t.diagnostic(`longest main-thread task: ${Math.round(await page.evaluate(() => (globalThis as any).longest))} ms (${visible.length} models)`);
  assert.deepEqual(errors, []);
});
