// The real agent CLIs in a test rig: a tool round trip through a proxy in record-if-missing mode
// (RECORD_DIR and REPLAY_DIR naming one folder), Claude Code's `claude -p` and Codex's `codex exec`.
// The first run records it; the second, in the same working folder, replays every exchange and sends
// nothing upstream, although each CLI runs its command again for real (Codex's command output carries
// a fresh chunk id and wall time: the default ignore rules are what let it match). Install the CLIs
// with `npm ci --prefix tests/agents`; without them these tests skip (and fail under CI=true).
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { startProxy, type Proxy } from '../helpers/harness.ts';
import { scratch } from '../recording/session.ts';
import { claudeCodeEnv, describeRun, requireCli, runCli, throwawayHome, type CliRun } from './cli-runner.ts';

const RUN_TIMEOUT_MS = 90_000;

/** Both runs of one CLI: asserts each answered with `proof`, and returns the two proxies. */
async function twoRuns(t: TestContext, recordings: string, proof: string, run: (proxy: Proxy) => Promise<CliRun>): Promise<[Proxy, Proxy]> {
  const first = await rigProxy(t, recordings);
  const recorded = await run(first);
  assert.equal(recorded.code, 0, describeRun(recorded));
  assert.ok(recorded.stdout.includes(proof), describeRun(recorded));
  assert.equal(first.fake.chatRequests().length, 2, 'one request for the tool call, one with its result');
  assert.equal(await first.app.settleRecordings(10_000), 0);
  assert.equal(readdirSync(recordings).filter((file) => file.includes('-chat-')).length, 2);

  const second = await rigProxy(t, recordings);
  const replayed = await run(second);
  assert.equal(replayed.code, 0, describeRun(replayed));
  assert.ok(replayed.stdout.includes(proof), describeRun(replayed));
  assert.deepEqual(second.fake.requests.map((request) => request.path), [], 'no upstream request at all: both turns, the catalog and GET /key replayed');
  const rows = second.app.requests.recent();
  assert.equal(rows.length, 2);
  assert.ok(rows.every((row) => row.source === 'replayed'), JSON.stringify(rows));
  assert.deepEqual(second.logs.filter((line) => line.includes('not recorded yet')), [], 'nothing was missing');
  return [first, second];
}

async function rigProxy(t: TestContext, dir: string): Promise<Proxy> {
  // The real CLIs are separate processes: they need a socket.
  const proxy = await startProxy(t, { env: { FREE_MODE: 'false', RECORD_DIR: dir, REPLAY_DIR: dir }, socket: true });
  writeFileSync(join(proxy.dir, 'aliases'), 'claude-* = qwen3-coder:free, gemini-2.0-flash-exp:free\n');
  return proxy;
}

test('Claude Code: a tool round trip recorded in record-if-missing mode runs again without one upstream request', { timeout: 3 * RUN_TIMEOUT_MS }, async (t) => {
  const path = requireCli(t, 'claude');
  if (path === undefined) return;
  const recordings = scratch(t, 'claude-rig-');
  // The rig's checkout: the same home and working folder on both runs, as on a rig's machine.
  const { home, cwd } = throwawayHome(t, 'claude');
  // A shell command whose output only a real shell produces: the fake cannot compute the sum.
  const prompt = `Run the command. [tool=Bash][args=${JSON.stringify({ command: 'echo CLAUDE-RIG-$((1000+337))', description: 'print a number' })}]`;
  const claude = (proxy: Proxy) => runCli(path, ['-p', prompt, '--tools', 'Bash', '--allowedTools', 'Bash'], {
    home,
    cwd,
    timeoutMs: RUN_TIMEOUT_MS,
    env: claudeCodeEnv(proxy.url),
  });

  await twoRuns(t, recordings, 'Tool result: CLAUDE-RIG-1337', claude);
});

test('Codex: a tool round trip recorded in record-if-missing mode runs again without one upstream request', { timeout: 3 * RUN_TIMEOUT_MS }, async (t) => {
  const path = requireCli(t, 'codex');
  if (path === undefined) return;
  const recordings = scratch(t, 'codex-rig-');
  const { home, cwd } = throwawayHome(t, 'codex');
  const prompt = `Run the command. [tool=exec_command][args=${JSON.stringify({ cmd: 'echo CODEX-RIG-$((1000+337))' })}]`;
  const codex = (proxy: Proxy) => runCli(path, ['exec', '--skip-git-repo-check', '--oss', '--local-provider', 'ollama', prompt], {
    home,
    cwd,
    timeoutMs: RUN_TIMEOUT_MS,
    env: { CODEX_HOME: join(home, '.codex'), CODEX_OSS_BASE_URL: `${proxy.url}/v1` },
  });
  await twoRuns(t, recordings, 'CODEX-RIG-1337', codex);
});
