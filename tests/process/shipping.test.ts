// What Docker cannot check here (no daemon): run exactly the Dockerfile's command, environment and
// files in a temporary directory with no node_modules; and the two air-gapped ways to run.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { post, startProxy } from '../helpers/harness.ts';
import { freePort } from '../helpers/net-helpers.ts';
import { test, type TestContext } from 'node:test';
import { startFakeOpenRouter } from '../../src/fake-openrouter/server.ts';

const root = new URL('../../', import.meta.url).pathname;

interface Dockerfile {
  env: Record<string, string>;
  copies: Array<[string, string]>;
  workdir: string;
  cmd: string[];
  healthcheck: string[];
}

/** Reads the instructions this test replays; line continuations are joined first. */
function parseDockerfile(text: string): Dockerfile {
  const lines = text.replace(/\\\n/g, ' ').split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
  const result: Dockerfile = { env: {}, copies: [], workdir: '/', cmd: [], healthcheck: [] };
  for (const line of lines) {
    const [instruction = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (instruction === 'ENV') for (const [, key = '', value = ''] of args.matchAll(/(\w+)=(\S+)/g)) result.env[key] = value;
    // A relative COPY destination is relative to the WORKDIR in force at that point.
    if (instruction === 'COPY') result.copies.push([rest[0] ?? '', join(result.workdir, rest[1] ?? '')]);
    if (instruction === 'WORKDIR') result.workdir = args;
    if (instruction === 'CMD') result.cmd = JSON.parse(args) as string[];
    if (instruction === 'HEALTHCHECK') result.healthcheck = JSON.parse(args.slice(args.indexOf('CMD') + 3)) as string[];
  }
  return result;
}

async function waitForOk(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output()}`);
    const ok = await fetch(url).then((response) => response.ok, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`server did not answer within 15 s:\n${output()}`);
}

function spawnServer(t: TestContext, command: string[], cwd: string, env: Record<string, string>) {
  const [program = '', ...args] = command;
  const child = spawn(program === 'node' ? process.execPath : program, args, { cwd, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (data) => (output += data));
  child.stderr.on('data', (data) => (output += data));
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return { child, output: () => output };
}

function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.once('exit', resolve));
}

test('the Dockerfile command, environment and files serve the offline OpenRouter, and its health check passes', async (t) => {
  const dockerfile = parseDockerfile(readFileSync(join(root, 'Dockerfile'), 'utf8'));
  const fake = await startFakeOpenRouter();
  t.after(() => fake.close());
  const image = mkdtempSync(join(tmpdir(), 'image-'));
  t.after(() => rmSync(image, { recursive: true, force: true }));
  // Absolute paths inside the image map into the temporary directory.
  const inImage = (path: string) => (path.startsWith('/') ? join(image, path) : path);
  for (const [source, destination] of dockerfile.copies) {
    // `COPY file dir/` puts the file inside the directory.
    const target = destination.endsWith('/') ? join(destination, basename(source)) : destination;
    cpSync(join(root, source), inImage(target), { recursive: true });
  }
  mkdirSync(inImage(dockerfile.workdir), { recursive: true });
  assert.equal(existsSync(join(image, 'app', 'node_modules')), false, 'the image has no node_modules');

  const port = await freePort();
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(dockerfile.env)) env[key] = value.startsWith('/') ? inImage(value) : value;
  Object.assign(env, { PORT: String(port), OPENROUTER_API_KEY: 'sk-or-v1-docker-test', OPENROUTER_BASE_URL: fake.url });
  assert.equal(env.HOST, '0.0.0.0', 'the image binds every interface explicitly');

  const server = spawnServer(t, dockerfile.cmd.map((arg) => (arg.startsWith('/') ? inImage(arg) : arg)), inImage(dockerfile.workdir), env);
  await waitForOk(`http://127.0.0.1:${port}/`, server.child, server.output);

  const tags = (await (await fetch(`http://127.0.0.1:${port}/api/tags`)).json()) as { models: Array<{ name: string }> };
  assert.ok(tags.models.length > 0, 'models come from the offline OpenRouter');
  const chat = await fetch(`http://127.0.0.1:${port}/api/chat`, { method: 'POST', body: JSON.stringify({ model: 'any', stream: false, messages: [{ role: 'user', content: 'from docker' }] }) });
  assert.equal(((await chat.json()) as { message: { content: string } }).message.content, 'Echo: from docker');

  const [program = '', ...args] = dockerfile.healthcheck;
  const health = spawnSync(program === 'node' ? process.execPath : program, args, { env: { ...env }, timeout: 10_000 });
  assert.equal(health.status, 0, `health check failed: ${health.stderr}`);

  server.child.kill('SIGTERM');
  assert.equal(await exited(server.child), 0, server.output());
  assert.ok(existsSync(env.FAILURE_DB ?? ''), 'failures.db lives in the data volume');
  assert.ok(existsSync(env.FREE_MODELS_CACHE ?? ''), 'the catalog cache lives in the data volume');
});

test('a vendored copy of src/ and package.json alone runs with node src/main.ts', async (t) => {
  const fake = await startFakeOpenRouter();
  t.after(() => fake.close());
  const rig = mkdtempSync(join(tmpdir(), 'rig-'));
  t.after(() => rmSync(rig, { recursive: true, force: true }));
  cpSync(join(root, 'src'), join(rig, 'src'), { recursive: true });
  cpSync(join(root, 'package.json'), join(rig, 'package.json'));
  const port = await freePort();
  const server = spawnServer(t, ['node', 'src/main.ts'], rig, { PORT: String(port), OPENROUTER_API_KEY: 'sk-or-v1-rig', OPENROUTER_BASE_URL: fake.url });
  await waitForOk(`http://127.0.0.1:${port}/api/version`, server.child, server.output);
  server.child.kill('SIGTERM');
  assert.equal(await exited(server.child), 0);
});

test('the offline OpenRouter runs on its own for a rig, on the port it is given', async (t) => {
  const port = await freePort();
  const fake = spawnServer(t, ['node', 'src/fake-openrouter/main.ts', '--port', String(port)], root, {});
  await waitForOk(`http://127.0.0.1:${port}/api/v1/models`, fake.child, fake.output);
  const models = (await (await fetch(`http://127.0.0.1:${port}/api/v1/models`)).json()) as { data: unknown[] };
  assert.ok(models.data.length > 0);
  fake.child.kill('SIGTERM');
  await exited(fake.child);
});

test('on a runtime that is too old, the server prints one line naming the required version and exits non-zero', () => {
  // The check is plain JavaScript at the top of src/main.ts; run it with a faked process.version.
  const source = readFileSync(join(root, 'src', 'main.ts'), 'utf8').split('const { runServer }')[0] ?? '';
  const script = `Object.defineProperty(process, 'version', { value: 'v20.20.2' });\n${source}`;
  const result = spawnSync(process.execPath, ['--input-type=module-typescript', '-e', script], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(result.status, 1);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0] ?? '', /needs Node\.js >= 22\.18\.0 .* but this is Node\.js v20\.20\.2/);
});

test('a recording set replays in a vendored copy, with no key and no network', async (t) => {
  const recordings = mkdtempSync(join(tmpdir(), 'rig-recordings-'));
  t.after(() => rmSync(recordings, { recursive: true, force: true }));
  const live = await startProxy(t, { env: { RECORD_DIR: recordings } });
  const body = { model: 'llama3', stream: false, messages: [{ role: 'user', content: 'hello rig' }] };
  const recorded = await post(live, '/api/chat', body);
  assert.equal(recorded.status, 200);
  // Recordings are written when each exchange ends: wait (bounded) for the chat's file.
  for (let i = 0; i < 200 && !readdirSync(recordings).some((file) => file.includes('-chat-')); i++) await new Promise((resolve) => setTimeout(resolve, 10));

  const rig = mkdtempSync(join(tmpdir(), 'rig-'));
  t.after(() => rmSync(rig, { recursive: true, force: true }));
  cpSync(join(root, 'src'), join(rig, 'src'), { recursive: true });
  cpSync(join(root, 'package.json'), join(rig, 'package.json'));
  const port = await freePort();
  const server = spawnServer(t, ['node', 'src/main.ts'], rig, { PORT: String(port), REPLAY_DIR: recordings, OPENROUTER_BASE_URL: 'http://127.0.0.1:9/api/v1', FAILURE_DB: ':memory:' });
  await waitForOk(`http://127.0.0.1:${port}/api/version`, server.child, server.output);
  const replayed = await post(`http://127.0.0.1:${port}`, '/api/chat', body);
  assert.equal(replayed.status, 200, server.output());
  assert.equal(replayed.json().message.content, recorded.json().message.content);
  server.child.kill('SIGTERM');
  assert.equal(await exited(server.child), 0);
});
