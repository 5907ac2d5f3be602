// The README's quick start, run as written (against the offline OpenRouter the demo starts).
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { freePort } from '../helpers/net-helpers.ts';
import { test } from 'node:test';

const root = new URL('../../', import.meta.url).pathname;
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The shell blocks of one `## ` section, as lists of command lines. */
function shellBlocks(heading: string): string[][] {
  const start = readme.indexOf(`\n## ${heading}\n`);
  assert.notEqual(start, -1, `README has a "${heading}" section`);
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end === -1 ? undefined : end);
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => (match[1] ?? '').split('\n').filter((line) => line.trim() !== ''));
}

test('the quick start works as written: npm run demo, then the curl commands', async (t) => {
  const [demoBlock, curlBlock, testBlock] = shellBlocks('Quick start');
  assert.deepEqual(demoBlock, ['npm install && npm run demo']);
  assert.deepEqual(testBlock, ['npm install && npm test']);
  // `npm install` has already run (this suite runs after it); start what follows it.
  const port = await freePort();
  const demo = spawn('npm', ['run', 'demo'], { cwd: root, env: { ...process.env, PORT: String(port) }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  demo.stdout.on('data', (data) => (output += data));
  demo.stderr.on('data', (data) => (output += data));
  const stopped = new Promise((resolve) => demo.once('exit', resolve));
  t.after(async () => {
    if (demo.exitCode === null) process.kill(-(demo.pid as number), 'SIGTERM');
    await stopped;
  });
  const deadline = Date.now() + 20_000;
  while (!(await fetch(`http://localhost:${port}/api/tags`).then((r) => r.ok, () => false))) {
    assert.ok(Date.now() < deadline, `demo did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const outputs = (curlBlock ?? []).map((command) =>
    execFileSync('sh', ['-c', command.replaceAll('localhost:11434', `localhost:${port}`)], { encoding: 'utf8', timeout: 10_000 }),
  );
  const chatLines = (outputs[0] ?? '').trimEnd().split('\n').map((line) => JSON.parse(line));
  assert.equal(chatLines.map((line) => line.message.content).join(''), 'Echo: Hello there');
  assert.equal(chatLines.at(-1).done, true);
  assert.ok(JSON.parse(outputs[1] ?? '').models.length > 0);
});

test('CI runs the README test command', () => {
  assert.match(readFileSync(new URL('../../.ci/run', import.meta.url), 'utf8'), /^npm test$/m);
});

test('the README documents every variable the config reads and every route the app serves', () => {
  const config = readFileSync(new URL('../../src/config.ts', import.meta.url), 'utf8');
  const variables = new Set([...config.matchAll(/(?:read|number|boolean|path)\('([A-Z_]+)'/g)].map((match) => match[1] as string));
  for (const variable of variables) assert.ok(readme.includes(`\`${variable}\``), `README documents ${variable}`);
  const envExample = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
  for (const variable of variables) assert.match(envExample, new RegExp(`^#? ?${variable}=`, 'm'), `.env.example lists ${variable}`);
  const app = readFileSync(new URL('../../src/app.ts', import.meta.url), 'utf8');
  for (const [, path] of app.matchAll(/path: '([^']+)'/g)) {
    const documented = (path as string).replace(/\/:[a-z]+\*?$/, '');
    assert.ok(readme.includes(documented), `README documents ${path}`);
  }
});
