// The proxy as its own process, started as `npm start` starts it, with its log kept for the checks.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { startArgs } from '../processes.ts';

export interface ProxyProcess {
  child: ChildProcess;
  url: string;
  /** The JSON log lines so far. */
  logs(): Array<{ level: string; msg: string; [field: string]: unknown }>;
  rssMb(): number;
  alive(): boolean;
  /** Why it is not running, when it died; undefined while it runs. */
  death(): string | undefined;
  exited: Promise<void>;
  /** SIGTERM, then SIGKILL after 5 s. */
  stop(): Promise<void>;
}

/** Starts the proxy with `env` (PORT=0) and resolves once it logs `listening`, or rejects within 10 s. */
export function startProxyProcess(env: Record<string, string>): Promise<ProxyProcess> {
  const child = spawn(process.execPath, startArgs(), { env: { PATH: process.env.PATH ?? '', PORT: '0', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;
  const logs = () => stderr.split('\n').flatMap((line) => {
    try {
      return [JSON.parse(line) as { level: string; msg: string; [field: string]: unknown }];
    } catch {
      return [];
    }
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail('no "listening" line within 10 s'), 10_000);
    const fail = (why: string): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${why}; stderr: ${stderr.slice(-2000)}`));
    };
    void exited.then(() => fail(`exited with ${child.exitCode ?? child.signalCode}`));
    const onData = (): void => {
      const listening = logs().find((entry) => entry.msg === 'listening');
      if (listening === undefined) return;
      clearTimeout(timer);
      child.stderr?.off('data', onData);
      resolve({
        child,
        url: String(listening.url),
        logs,
        rssMb: () => (alive() ? Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024 : 0),
        alive,
        death: () => (alive() ? undefined : `the proxy process died (${child.exitCode ?? child.signalCode}): ${stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 400)}`),
        exited,
        async stop() {
          if (child.exitCode !== null || child.signalCode !== null) return;
          const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
          child.kill('SIGTERM');
          await exited;
          clearTimeout(force);
        },
      });
    };
    child.stderr?.on('data', onData);
  });
}
