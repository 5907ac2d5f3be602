// The dashboard of a test rig in record-if-missing mode, in a real browser: the health panel names the
// mode with this run's counts, and each request row says whether it was replayed or recorded.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { post, startProxy } from '../helpers/harness.ts';
import { scratch } from '../recording/session.ts';
import { launch, openPage, screenshot, skipReason, tableText } from './browser.ts';

// The callbacks handed to page.evaluate run in Chromium; the project compiles without the DOM types.
declare const document: any;
const skip = skipReason();

const chat = (content: string) => ({ model: 'llama3', stream: false, messages: [{ role: 'user', content }] });

test('request rows say replayed or recorded, and the health panel names the recording mode', { skip }, async (t) => {
  const dir = scratch(t, 'rig-');
  const env = { RECORD_DIR: dir, REPLAY_DIR: dir };
  const yesterday = await startProxy(t, { env });
  assert.equal((await post(yesterday, '/api/chat', chat('recorded yesterday'))).status, 200);
  assert.equal(await yesterday.app.settleRecordings(10_000), 0);

  // Chromium needs a socket.
  const proxy = await startProxy(t, { env, socket: true });
  const browser = await launch(t);
  const { page, errors } = await openPage(browser, 1280, 800);
  await page.goto(`${proxy.url}/dashboard`);
  await page.waitForSelector('#conn[data-state="live"]');
  assert.equal((await post(proxy, '/api/chat', chat('recorded yesterday'))).status, 200);
  assert.equal((await post(proxy, '/api/chat', chat('new today'))).status, 200);
  await page.waitForFunction(() => document.querySelectorAll('#requests tr').length === 2 && [...document.querySelectorAll('#requests tr')].every((row) => /^200 /.test(row.children[5]?.textContent ?? '')));
  const rows = await tableText(page, 'requests');
  assert.deepEqual(rows.map((cells) => cells[5]), ['200 recorded', '200 replayed'], 'newest first');
  assert.equal(proxy.fake.chatRequests().length, 1);
  await page.waitForFunction(() => /Recordings\s*replaying what is recorded, recording what is missing · \d+ replayed · 1 recorded/.test(document.querySelector('#health')?.textContent ?? ''));
  t.diagnostic(`screenshot: ${await screenshot(page, 'dashboard-record-if-missing')}`);
  assert.deepEqual(errors, []);
});
