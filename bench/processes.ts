// Starts the offline OpenRouter and the proxy as separate processes on loopback, as a user would.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

export interface Running {
  child: ChildProcess;
  url: string;
  rssMb(): number;
  stop(): Promise<void>;
}

function rssOf(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      // Killed by a signal, a child has a signalCode and no exitCode; either way it will not exit again.
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
}

/** Starts `node src/fake-openrouter/main.ts` and waits for its "listening" line. */
export async function startFake(port: number, models?: number): Promise<Running> {
  const args = [join(root, 'src/fake-openrouter/main.ts'), '--port', String(port), ...(models ? ['--models', String(models), '--seed', '42'] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (data: Buffer) => {
      if (data.toString().includes('listening')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`fake exited with ${code}`)));
  });
  return { child, url: `http://127.0.0.1:${port}/api/v1`, rssMb: () => rssOf(child.pid), stop: stopper(child) };
}

/**
 * The node arguments of `npm start` (flags and script), read from package.json so that the benchmark
 * measures the process exactly as it ships: a V8 flag added there is measured here too.
 */
export function startArgs(): string[] {
  const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const words = (scripts.start ?? 'node src/main.ts').split(/\s+/).filter((word) => word !== '');
  return words.slice(1).map((word) => (word.endsWith('.ts') ? join(root, word) : word));
}

/** Starts the proxy as `npm start` does, against an upstream, and waits for the first 200 on GET /; returns how long that took. */
export async function startProxy(port: number, env: Record<string, string>, args: string[] = startArgs()): Promise<Running & { startupMs: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', PORT: String(port), LOG_LEVEL: 'INFO', ...env },
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`proxy exited with ${child.exitCode}`);
    const ok = await fetch(`${url}/`).then((response) => response.status === 200, () => false);
    if (ok) break;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return { child, url, startupMs: performance.now() - started, rssMb: () => rssOf(child.pid), stop: stopper(child) };
}

/** Starts the startup yardstick, a bare node:http server in one TypeScript file (bench/bare.ts). */
export function startBare(port: number): Promise<Running & { startupMs: number }> {
  return startProxy(port, {}, [join(root, 'bench/bare.ts')]);
}

/** Starts the reference fetch relay (bench/reference-relay.ts) in front of the upstream. */
export async function startRelay(port: number, upstream: string, model: string): Promise<Running> {
  const child = spawn(process.execPath, [join(root, 'bench/reference-relay.ts'), '--port', String(port), '--upstream', upstream, '--model', model], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (data: Buffer) => {
      if (data.toString().includes('listening')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`relay exited with ${code}`)));
  });
  return { child, url: `http://127.0.0.1:${port}`, rssMb: () => rssOf(child.pid), stop: stopper(child) };
}
