// A recording folder after things went wrong: partial files left by a proxy killed mid-write (kill -9),
// and a full disk. Numbers are never reused, no empty partial piles up, and the log says when writing
// fails and when it works again, every time.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import { join } from 'node:path';
import { createLogger } from '../../src/logger.ts';
import { createRecorder } from '../../src/recording/recorder.ts';
import { writeRecording } from '../../src/recording/recording-set.ts';
import { runSession, scratch, recordingProxy } from './session.ts';

const BASE = 'http://upstream.invalid/api/v1';

test('partials left by a killed proxy are removed at startup, and their numbers are not used again', async (t) => {
  const dir = scratch(t, 'recording-');
  writeFileSync(join(dir, '0001-models.json'), '{}');
  // kill -9 during a write leaves the file it was writing, under its temporary name.
  writeFileSync(join(dir, '.0002-chat-qwen3-coder-free.json.partial'), '{"format": "ollama-');
  writeFileSync(join(dir, '.0003-chat-qwen3-coder-free.json.partial'), '');
  const proxy = await recordingProxy(t, dir);
  await runSession(proxy, [{ name: 'chat', path: '/api/chat', body: { model: 'llama3', stream: false, messages: [{ role: 'user', content: 'after the crash' }] } }], false);
  assert.equal(await proxy.app.settleRecordings(10_000), 0);

  const files = readdirSync(dir).sort();
  assert.deepEqual(files.filter((file) => file.startsWith('.')), [], 'no partial is left');
  assert.ok(files.every((file) => !/^000[23]-/.test(file)), `numbers 2 and 3 are not reused: ${files.join(', ')}`);
  assert.equal(files.filter((file) => /^\d{4}-chat-/.test(file)).length, 1, 'the exchange after the crash was recorded');
  assert.match(readFileSync(join(dir, files.find((file) => file.includes('-chat-')) as string), 'utf8'), /after the crash/);
  const warning = proxy.logs.map((line) => JSON.parse(line)).find((entry) => entry.msg === 'removed partial recordings left by a proxy that did not stop cleanly');
  assert.deepEqual(warning?.files, ['.0002-chat-qwen3-coder-free.json.partial', '.0003-chat-qwen3-coder-free.json.partial']);
});

test('a full disk leaves no empty partial per exchange, and the error is logged again after each recovery', async (t) => {
  const dir = scratch(t, 'recording-');
  const logs: Array<{ level: string; msg: string; notRecorded?: number }> = [];
  const logger = createLogger('DEBUG', (line) => void logs.push(JSON.parse(line)));
  // The disk is full for exchanges 1, 2 and 4: the file is created, then writing it fails, as ENOSPC does.
  const full = new Set([1, 2, 4]);
  let exchange = 0;
  const diskFull = {
    writeFile: (async (path: string, _data: string, options: { flag: string }) => {
      await writeFile(path, '', options);
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    }) as unknown as typeof writeFile,
    rename: (async () => {}) as never,
    rm: (await import('node:fs/promises')).rm,
  };
  const upstream = (async () => new Response(`answer ${exchange}`, { status: 200 })) as typeof fetch;
  const recorder = createRecorder(upstream, {
    dir, baseUrl: BASE, secrets: [], logger,
    write: (folder, file, recording) => writeRecording(folder, file, recording, full.has(exchange) ? diskFull : undefined),
  });
  for (exchange = 1; exchange <= 4; exchange++) {
    const response = await recorder.fetch(`${BASE}/chat/completions`, { method: 'POST', body: JSON.stringify({ n: exchange }) });
    await response.text();
    await recorder.settled();
  }

  assert.deepEqual(readdirSync(dir), ['0003-chat.json'], 'only the exchange written while there was room, and no partial');
  const said = logs.filter((entry) => entry.level !== 'DEBUG').map((entry) => `${entry.level} ${entry.msg.split(';')[0]}${entry.notRecorded ? ` (${entry.notRecorded})` : ''}`);
  assert.deepEqual(said, ['ERROR cannot write a recording', 'WARN recordings are written again (2)', 'ERROR cannot write a recording']);
});
