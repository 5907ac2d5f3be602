// kill -9 while recording: the proxy is killed with exchanges being written, then started again on
// the same RECORD_DIR. Misbehaviour: it does not start, a request fails, a later exchange is not
// recorded, or a recording write fails; and redaction of 270 KB of `KEYKEY…` taking over 2 s (ReDoS).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { call } from '../../tests/helpers/reliability-helpers.ts';
import { startProxyProcess, type ProxyProcess } from './proxy-process.ts';
import type { Counter } from './tally.ts';

const AFTER_RESTART = 5;
const REDOS_LIMIT_MS = 2_000;

const chat = (url: string, content: string) =>
  call(url, '/api/chat', { body: { model: 'qwen3-coder:free', stream: false, messages: [{ role: 'user', content }] }, timeoutMs: 15_000 });

/** Recordings in the folder: `0001-chat-….json` files, not leftovers. */
function recordings(dir: string): number {
  try {
    return readdirSync(dir).filter((name) => /^\d+-.*\.json$/.test(name)).length;
  } catch {
    return 0;
  }
}

/** Rounds of load, kill -9, restart and check, until `deadline`. */
export async function killDuringRecording(env: Record<string, string>, dir: string, deadline: number, counter: Counter): Promise<void> {
  const recordDir = join(dir, 'recordings');
  const recordingEnv = { ...env, RECORD_DIR: recordDir };
  for (let round = 0; performance.now() < deadline; round++) {
    const victim = await startProxyProcess(recordingEnv);
    // Parallel exchanges, so that some recordings are being written when the kill lands.
    const load = Array.from({ length: 20 }, (_, i) => chat(victim.url, `round ${round} request ${i}`).catch(() => undefined));
    await new Promise((resolve) => setTimeout(resolve, 50 + (round * 37) % 200));
    victim.child.kill('SIGKILL');
    await Promise.all([victim.exited, ...load]);
    await counter.attempt(`round ${round}: restart after kill -9`, () => afterRestart(recordingEnv, recordDir, round));
  }
}

async function afterRestart(env: Record<string, string>, recordDir: string, round: number): Promise<void> {
  const proxy = await startProxyProcess(env);
  try {
    const before = recordings(recordDir);
    for (let i = 0; i < AFTER_RESTART; i++) {
      const answer = await chat(proxy.url, `after restart ${round}.${i}`);
      if (answer.status !== 200) throw new Error(`a request after the restart got ${answer.status}`);
    }
    await redosProbe(proxy);
    // The redos probe is recorded too: AFTER_RESTART + 1 new files, written after each answer ends.
    const expected = before + AFTER_RESTART + 1;
    const until = performance.now() + 3_000;
    while (recordings(recordDir) < expected && performance.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
    const missing = expected - recordings(recordDir);
    if (missing > 0) throw new Error(`${missing} of ${AFTER_RESTART + 1} exchanges after the restart were not recorded`);
    const failed = proxy.logs().find((entry) => entry.level === 'ERROR');
    if (failed !== undefined) throw new Error(`logged: ${failed.msg} ${JSON.stringify(failed.error ?? '')}`);
  } finally {
    await proxy.stop();
  }
}

async function redosProbe(proxy: ProxyProcess): Promise<void> {
  const started = performance.now();
  const answer = await chat(proxy.url, 'KEY'.repeat(90_000));
  const ms = performance.now() - started;
  if (answer.status !== 200) throw new Error(`the 270 KB KEYKEY… request got ${answer.status}`);
  if (ms > REDOS_LIMIT_MS) throw new Error(`the 270 KB KEYKEY… request took ${Math.round(ms)} ms while recording`);
}
