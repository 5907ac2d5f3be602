// `node bench/heap-census.ts [--streams N]`: where the proxy's memory per open stream goes. Takes a
// V8 heap snapshot of the proxy idle and another with N streams open (each past its first chunk),
// and prints what the difference holds per stream, by constructor. Loopback only; bounded.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agent, postJson } from './load.ts';
import { startArgs, startFake, startProxy, type Running } from './processes.ts';
import { PROXY_MODEL } from './scenarios.ts';

const streams = Number(process.argv[process.argv.indexOf('--streams') + 1]) || 1000;
const base = 30_000 + (process.pid % 2000) * 2;
const dir = mkdtempSync(join(tmpdir(), 'proxy-heap-'));
const env = { OPENROUTER_API_KEY: 'sk-or-v1-bench', FAILURE_DB: join(dir, 'failures.db'), FREE_MODELS_CACHE: join(dir, 'free-models'), MODEL_FILTER_PATH: join(dir, 'filter') };
const body = JSON.stringify({ model: PROXY_MODEL, stream: true, messages: [{ role: 'user', content: '[chunks=10][delay=1000]' }] });

interface Census {
  [name: string]: { count: number; bytes: number };
}

/** Sums self sizes by "type:name" over a .heapsnapshot file. */
function census(file: string): { byName: Census; total: number } {
  const snapshot = JSON.parse(readFileSync(file, 'utf8')) as { snapshot: { meta: { node_fields: string[]; node_types: [string[]] } }; nodes: number[]; strings: string[] };
  const fields = snapshot.snapshot.meta.node_fields;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((field) => fields.indexOf(field)) as [number, number, number];
  const types = snapshot.snapshot.meta.node_types[0];
  const byName: Census = {};
  let total = 0;
  for (let i = 0; i < snapshot.nodes.length; i += fields.length) {
    const type = types[snapshot.nodes[i + typeAt]!]!;
    const name = type === 'object' || type === 'closure' || type === 'native' ? snapshot.strings[snapshot.nodes[i + nameAt]!]! : `(${type})`;
    const key = `${name}`.slice(0, 60);
    const size = snapshot.nodes[i + sizeAt]!;
    const entry = (byName[key] ??= { count: 0, bytes: 0 });
    entry.count++;
    entry.bytes += size;
    total += size;
  }
  return { byName, total };
}

async function snapshot(proxy: Running): Promise<string> {
  const before = new Set(readdirSync(dir));
  proxy.child.kill('SIGUSR2');
  // The snapshot is written synchronously on the proxy's thread: once it answers again, the file is whole.
  await new Promise((resolve) => setTimeout(resolve, 200));
  await fetch(`${proxy.url}/`);
  const file = readdirSync(dir).find((name) => name.endsWith('.heapsnapshot') && !before.has(name));
  if (file === undefined) throw new Error('no heap snapshot was written');
  return join(dir, file);
}

const fake = await startFake(base);
const proxy = await startProxy(base + 1, { ...env, OPENROUTER_BASE_URL: fake.url }, ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${dir}`, ...startArgs()]);
try {
  await postJson(`${proxy.url}/api/chat`, body);
  const idleRss = proxy.rssMb();
  const idle = census(await snapshot(proxy));
  let admitted = 0;
  let allAdmitted!: () => void;
  const admittedAll = new Promise<void>((resolve) => (allAdmitted = resolve));
  const all = Array.from({ length: streams }, () => {
    let first = true;
    return postJson(`${proxy.url}/api/chat`, body, () => {
      if (first && ++admitted === streams) allAdmitted();
      first = false;
    });
  });
  await admittedAll;
  const openRss = proxy.rssMb();
  const open = census(await snapshot(proxy));
  await Promise.all(all);
  const rows = Object.entries(open.byName)
    .map(([name, entry]) => ({ name, count: entry.count - (idle.byName[name]?.count ?? 0), bytes: entry.bytes - (idle.byName[name]?.bytes ?? 0) }))
    .filter((row) => row.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 25);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`${streams} open streams: RSS ${idleRss.toFixed(1)} -> ${openRss.toFixed(1)} MB (+${(((openRss - idleRss) * 1024) / streams).toFixed(0)} KB per stream)`);
  out(`JS heap (snapshot self sizes) ${(idle.total / 2 ** 20).toFixed(1)} -> ${(open.total / 2 ** 20).toFixed(1)} MB (+${((open.total - idle.total) / 1024 / streams).toFixed(1)} KB per stream)`);
  out('per stream: objects  bytes  constructor');
  for (const row of rows) out(`${(row.count / streams).toFixed(1).padStart(8)}  ${(row.bytes / streams).toFixed(0).padStart(6)}  ${row.name}`);
} finally {
  await proxy.stop();
  await fake.stop();
  agent.destroy();
  rmSync(dir, { recursive: true, force: true });
}
