// `node bench/memory-flags.ts [--streams N] -- FLAGS...`: the open-streams memory scenario alone, for the
// proxy started with extra node flags (each argument after `--` is one run; "none" is no flag), so
// that a V8 flag is measured before it goes into package.json. Loopback only; bounded.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agent } from './load.ts';
import { startArgs, startFake, startProxy } from './processes.ts';
import { measureOpenStreams, PROXY_MODEL, slowStreamBody } from './scenarios.ts';

const streams = Number(process.argv[process.argv.indexOf('--streams') + 1]) || 1000;
const variants = process.argv.slice(process.argv.indexOf('--') + 1);
const base = 34_000 + (process.pid % 2000) * 2;
const dir = mkdtempSync(join(tmpdir(), 'proxy-flags-'));
const env = { OPENROUTER_API_KEY: 'sk-or-v1-bench', FAILURE_DB: join(dir, 'failures.db'), FREE_MODELS_CACHE: join(dir, 'free-models'), MODEL_FILTER_PATH: join(dir, 'filter') };
const fake = await startFake(base);
try {
  for (const variant of variants) {
    const flags = variant === 'none' ? [] : variant.split(' ');
    const proxy = await startProxy(base + 1, { ...env, OPENROUTER_BASE_URL: fake.url }, [...flags, ...startArgs()]);
    const m = await measureOpenStreams(proxy, `${proxy.url}/api/chat`, slowStreamBody(PROXY_MODEL), streams);
    await proxy.stop();
    process.stdout.write(`${variant.padEnd(40)} idle ${m.idleMb.toFixed(1)}  peak ${m.peakMb.toFixed(1)}  per stream ${m.perStreamKb.toFixed(0)} KB  after ${m.afterLoadMinMb.toFixed(1)} (${m.afterLoadSettledMs === null ? 'not settled' : `${(m.afterLoadSettledMs / 1000).toFixed(1)} s`})  admission ${m.admissionP50Ms.toFixed(0)} / ${m.admissionMaxMs.toFixed(0)} ms\n`);
  }
} finally {
  await fake.stop();
  agent.destroy();
  rmSync(dir, { recursive: true, force: true });
}
