// Runs the real agent CLIs installed in tests/agents (npm install --prefix tests/agents) headless, each with
// a throwaway HOME and working directory, no stdin, a clean environment and a kill timeout.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';

export const AGENTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'agents');
/** The bin names of the CLIs in tests/agents/package.json. */
export type CliName = 'claude' | 'codex' | 'opencode' | 'pi' | 'qwen' | 'cline' | 'copilot' | 'cn' | 'kilo';

export interface CliRun {
  /** Exit code, or null when the run was killed (timeout) — the message then says so. */
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** The installed CLI's path, or undefined when `npm install --prefix tests/agents` has not been run. */
export function cliPath(name: CliName): string | undefined {
  const path = join(AGENTS_DIR, 'node_modules', '.bin', name);
  return existsSync(path) ? path : undefined;
}

const HOW_TO = 'the agent CLIs are not installed; run `npm install --prefix tests/agents` (about 2.4 GB) and then `npm test`';

/**
 * Finds a CLI for a test: without it the test is skipped with how to install it, except under CI
 * (CI=true), where a missing CLI is a failure so that these tests can never silently stop running.
 */
export function requireCli(t: TestContext, name: CliName): string | undefined {
  const path = cliPath(name);
  if (path !== undefined) return path;
  if (process.env.CI === 'true') throw new Error(`CI=true but ${name} is missing: ${HOW_TO}`);
  t.skip(HOW_TO);
  return undefined;
}

/** A throwaway home (and working directory inside it) removed when the test ends. */
export function throwawayHome(t: TestContext, name: CliName): { home: string; cwd: string } {
  const home = mkdtempSync(join(tmpdir(), `agent-${name}-home-`));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const cwd = join(home, 'work');
  mkdirSync(cwd);
  // Codex refuses to start unless CODEX_HOME already exists.
  mkdirSync(join(home, '.codex'));
  return { home, cwd };
}

/**
 * Runs a CLI to its end (or kills its whole process group after `timeoutMs`). The environment holds
 * only PATH, HOME and `env`, so nothing from the developer's own setup leaks in.
 */
export function runCli(path: string, args: string[], options: { home: string; cwd: string; env: Record<string, string>; timeoutMs: number }): Promise<CliRun> {
  const child = spawn(path, args, {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: options.home, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => void (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => void (stderr += text));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  }, options.timeoutMs);
  return new Promise((resolve, reject) => {
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}

/** Claude Code's environment against a proxy: headless and offline, with no retries that hide failures. */
export function claudeCodeEnv(proxyUrl: string): Record<string, string> {
  return {
    ANTHROPIC_BASE_URL: proxyUrl,
    ANTHROPIC_API_KEY: 'sk-ant-test-not-a-real-key',
    // No telemetry, update checks or error reports.
    DISABLE_TELEMETRY: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_ERROR_REPORTING: '1',
    CLAUDE_CODE_MAX_RETRIES: '0',
  };
}

/** A short account of a run for assertion messages. */
export function describeRun(run: CliRun): string {
  const tail = (text: string) => (text.length > 3000 ? `…${text.slice(-3000)}` : text);
  return `exit ${run.code}${run.timedOut ? ' (killed after the timeout)' : ''}\n--- stdout\n${tail(run.stdout)}\n--- stderr\n${tail(run.stderr)}`;
}
