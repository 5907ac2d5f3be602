// `npm run bench`: the proxy's cost next to a direct connection to the same upstream. The offline
// OpenRouter and the proxy run as separate processes on loopback; sizes and seeds are fixed.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { agent, median } from './load.ts';
import { startBare, startFake, startProxy, startRelay } from './processes.ts';
import { measureRequestLog } from './request-log.ts';
import { measureRouting } from './routing.ts';
import { DIRECT_MODEL, measureGrowth, measureLatency, measureOpenStreams, measureStreaming, PROXY_MODEL, slowStreamBody } from './scenarios.ts';
import { measureWaiting } from './waiting.ts';

const RUNS = 3;
// Other benchmarks may run on the same machine: the four ports start at a base derived from the pid
// unless `--port-base N` says otherwise (below the ephemeral range, where outgoing connections get theirs).
const portBaseArg = process.argv[process.argv.indexOf('--port-base') + 1];
const PORT_BASE = process.argv.includes('--port-base') ? Number(portBaseArg) : 20_000 + (process.pid % 3000) * 4;
const [FAKE_PORT, PROXY_PORT, RELAY_PORT, BARE_PORT] = [PORT_BASE, PORT_BASE + 1, PORT_BASE + 2, PORT_BASE + 3];
const quick = process.argv.includes('--quick');
const sizes = quick
  ? { c1: 300, c64: 2000, chunks: 20_000, streams: 200, leak: 10_000, startups: 3 }
  : { c1: 1000, c64: 10_000, chunks: 20_000, streams: 1000, leak: 100_000, startups: 5 };

const dir = mkdtempSync(join(tmpdir(), 'proxy-bench-'));
// `--env NAME=VALUE` (repeatable) passes extra configuration to the proxy: this is where features
// that cost per request (a request log, outage counters) are switched on to check the targets hold.
const extraEnv = Object.fromEntries(process.argv.flatMap((arg, i) => (process.argv[i - 1] === '--env' ? [arg.split(/=(.*)/s).slice(0, 2)] : [])));
const env = {
  OPENROUTER_API_KEY: 'sk-or-v1-bench',
  FAILURE_DB: join(dir, 'failures.db'),
  FREE_MODELS_CACHE: join(dir, 'free-models'),
  MODEL_FILTER_PATH: join(dir, 'filter'),
  ...extraEnv,
};
const log = (message: string) => process.stderr.write(`${message}\n`);

const fake = await startFake(FAKE_PORT);
let proxy = await startProxy(PROXY_PORT, { ...env, OPENROUTER_BASE_URL: fake.url });
let relay = await startRelay(RELAY_PORT, fake.url, DIRECT_MODEL);
try {
  log('latency at concurrency 1 ...');
  const c1 = await measureLatency(fake, proxy, relay, 1, sizes.c1, RUNS);
  log('latency at concurrency 64 ...');
  const c64 = await measureLatency(fake, proxy, relay, 64, sizes.c64, RUNS);
  await relay.stop();
  log('streaming throughput ...');
  const streaming = await measureStreaming(fake, proxy, sizes.chunks, RUNS);
  // Memory is measured on fresh processes, so the load above does not inflate the idle figure.
  await proxy.stop();
  proxy = await startProxy(PROXY_PORT, { ...env, OPENROUTER_BASE_URL: fake.url });
  log(`memory: ${sizes.streams} open streams through the proxy ...`);
  const memory = await measureOpenStreams(proxy, `${proxy.url}/api/chat`, slowStreamBody(PROXY_MODEL), sizes.streams);
  log('memory: growth over many requests ...');
  const growth = await measureGrowth(proxy, sizes.leak);
  await proxy.stop();
  relay = await startRelay(RELAY_PORT, fake.url, DIRECT_MODEL);
  log(`memory: ${sizes.streams} open streams through the relay ...`);
  const relayMemory = await measureOpenStreams(relay, `${relay.url}/`, slowStreamBody(DIRECT_MODEL), sizes.streams);
  await relay.stop();
  log('startup with a warm cache, next to a bare node:http server ...');
  const startups: number[] = [];
  const bareStartups: number[] = [];
  for (let i = 0; i < sizes.startups; i++) {
    proxy = await startProxy(PROXY_PORT, { ...env, OPENROUTER_BASE_URL: fake.url });
    startups.push(proxy.startupMs);
    await proxy.stop();
    const bare = await startBare(BARE_PORT);
    bareStartups.push(bare.startupMs);
    await bare.stop();
  }
  log('routing cost ...');
  const routing = measureRouting(400, 150, 20_000, RUNS, env.MODEL_FILTER_PATH);
  log('request log cost ...');
  const requestLog = measureRequestLog(100_000, RUNS);
  log('waiting for the per-minute cap ...');
  const waiting = await measureWaiting(200, 5000, env);

  const results = {
    date: new Date().toISOString(),
    machine: { cores: availableParallelism(), cpu: cpus()[0]?.model ?? 'unknown', node: process.version },
    quick,
    latency: [c1, c64],
    streaming,
    memory,
    relayMemory,
    growth,
    startup: { runs: startups.length, medianMs: median(startups), bareMedianMs: median(bareStartups) },
    proxyEnv: Object.keys(extraEnv),
    routing,
    requestLog,
    waiting,
  };
  print(results);
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(new URL(`./results/${quick ? 'quick' : 'latest'}.json`, import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
} finally {
  await proxy.stop();
  await relay.stop();
  await fake.stop();
  agent.destroy();
  rmSync(dir, { recursive: true, force: true });
}

function print(results: any): void {
  const f = (value: number, digits = 2) => value.toFixed(digits);
  const rows: string[][] = [['measure', 'direct', 'proxy', 'bare fetch relay', 'target (holds?)']];
  const yes = (ok: boolean) => (ok ? 'yes' : 'NO');
  const [c1, c64] = results.latency;
  rows.push(['c=1 added p50 / p99 over direct (ms)', '', `+${f(c1.addedP50, 3)} / +${f(c1.addedP99, 3)}`, `+${f(c1.relayAddedP50, 3)} / +${f(c1.relayAddedP99, 3)}`,
    `p50 <= relay + 0.1 (${yes(c1.addedP50 <= c1.relayAddedP50 + 0.1)}; +${f(c1.addedP50 - c1.relayAddedP50, 3)} over relay)`]);
  rows.push(['c=1 total p50 (ms)', f(c1.direct.totalP50, 3), f(c1.proxy.totalP50, 3), f(c1.relay.totalP50, 3), '']);
  rows.push(['c=64 requests/s', f(c64.direct.rps, 0), f(c64.proxy.rps, 0), f(c64.relay.rps, 0), `>= 0.85x relay (${yes(c64.proxy.rps >= 0.85 * c64.relay.rps)}; x${f(c64.proxy.rps / c64.relay.rps)})`]);
  rows.push(['c=64 added p50 / p99 over direct (ms)', '', `+${f(c64.addedP50, 3)} / +${f(c64.addedP99, 3)}`, `+${f(c64.relayAddedP50, 3)} / +${f(c64.relayAddedP99, 3)}`, '']);
  const s = results.streaming;
  rows.push([`one ${s.chunks}-chunk stream, chunks/s`, f(s.directChunksPerSec, 0), f(s.proxyChunksPerSec, 0), '', `>= 0.5x direct (${yes(s.ratio >= 0.5)}; x${f(s.ratio)})`]);
  const m = results.memory;
  const r = results.relayMemory;
  const n = m.streams;
  rows.push(['RSS idle, fresh (MB)', '', f(m.idleMb, 1), f(r.idleMb, 1), '']);
  rows.push([`RSS peak, ${n} open streams (MB)`, '', f(m.peakMb, 1), f(r.peakMb, 1), `peak - idle <= ${f((150 * n) / 1000, 0)} MB (${yes(m.peakMb - m.idleMb <= (150 * n) / 1000)}; +${f(m.peakMb - m.idleMb, 1)})`]);
  rows.push([`RSS per open stream over idle (KB)`, '', f(m.perStreamKb, 0), f(r.perStreamKb, 0), `<= 150 (${yes(m.perStreamKb <= 150)})`]);
  const settled = (x: any) => (x.afterLoadSettledMs === null ? 'not within 10 s' : `within ${f(x.afterLoadSettledMs / 1000, 1)} s`);
  rows.push(['RSS after the load, lowest in 10 s (MB)', '', `${f(m.afterLoadMinMb, 1)} (${settled(m)})`, `${f(r.afterLoadMinMb, 1)} (${settled(r)})`, `<= idle + 40 (${yes(m.afterLoadSettledMs !== null)})`]);
  rows.push([`admission of ${n} streams, first chunk p50 / max (ms)`, '', `${f(m.admissionP50Ms, 0)} / ${f(m.admissionMaxMs, 0)}`, `${f(r.admissionP50Ms, 0)} / ${f(r.admissionMaxMs, 0)}`, `max <= 500 (${yes(m.admissionMaxMs <= 500)})`]);
  const g = results.growth;
  rows.push([`RSS growth over ${g.leakRequests} requests (MB)`, '', `${f(g.growthMb, 1)} (${f(g.rssAfterWarmupMb, 1)} -> ${f(g.rssAfterAllMb, 1)})`, '', '']);
  const st = results.startup;
  rows.push(['startup to first 200, warm (ms)', '', f(st.medianMs, 1), `bare node:http .ts: ${f(st.bareMedianMs, 1)}`, `<= 2x bare (${yes(st.medianMs <= 2 * st.bareMedianMs)}; x${f(st.medianMs / st.bareMedianMs)})`]);
  rows.push([`routing, ${results.routing.models} models / ${results.routing.coolingDown} cooling (us/request)`, '', f(results.routing.microsecondsPerRequest, 1), '', '<= 200']);
  const rl = results.requestLog;
  rows.push(['dashboard request log (us/request)', '', f(rl.microsecondsPerRequest, 2), '', `${f(rl.microsecondsWithDashboardOpen, 2)} with a dashboard open`]);
  const w = results.waiting;
  rows.push([`${w.queued}/${w.waiters} requests waiting ${f(w.windowMs / 1000, 1)} s for the per-minute cap (CPU ms/s)`, '', f(w.cpuMsPerSecond, 2), '', `${w.served} served after it lifted`]);
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  process.stdout.write(`machine: ${results.machine.cores} cores, ${results.machine.cpu}, Node ${results.machine.node}${results.proxyEnv.length > 0 ? `; proxy env: ${results.proxyEnv.join(', ')}` : ''}\n`);
  for (const row of rows) process.stdout.write(`${row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()}\n`);
}
