// `npm run bench`: the proxy's cost next to a direct connection to the same upstream. The offline
// OpenRouter and the proxy run as separate processes on loopback; sizes and seeds are fixed.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { agent, median } from './load.ts';
import { startFake, startProxy, startRelay } from './processes.ts';
import { measureRequestLog } from './request-log.ts';
import { measureRouting } from './routing.ts';
import { measureWaiting } from './waiting.ts';
import { DIRECT_MODEL, measureLatency, measureMemory, measureStreaming } from './scenarios.ts';

const RUNS = 3;
const FAKE_PORT = 18_401;
const PROXY_PORT = 18_402;
const RELAY_PORT = 18_403;
const quick = process.argv.includes('--quick');
const sizes = quick
  ? { c1: 300, c64: 2000, chunks: 20_000, streams: 200, leak: 10_000, startups: 3 }
  : { c1: 1000, c64: 10_000, chunks: 20_000, streams: 1000, leak: 100_000, startups: 5 };

const dir = mkdtempSync(join(tmpdir(), 'proxy-bench-'));
const env = {
  OPENROUTER_API_KEY: 'sk-or-v1-bench',
  FAILURE_DB: join(dir, 'failures.db'),
  FREE_MODELS_CACHE: join(dir, 'free-models'),
  MODEL_FILTER_PATH: join(dir, 'filter'),
};
const log = (message: string) => process.stderr.write(`${message}\n`);

const fake = await startFake(FAKE_PORT);
let proxy = await startProxy(PROXY_PORT, { ...env, OPENROUTER_BASE_URL: fake.url });
const relay = await startRelay(RELAY_PORT, fake.url, DIRECT_MODEL);
try {
  log('latency at concurrency 1 ...');
  const c1 = await measureLatency(fake, proxy, relay, 1, sizes.c1, RUNS);
  log('latency at concurrency 64 ...');
  const c64 = await measureLatency(fake, proxy, relay, 64, sizes.c64, RUNS);
  await relay.stop();
  log('streaming throughput ...');
  const streaming = await measureStreaming(fake, proxy, sizes.chunks, RUNS);
  // Memory is measured on a fresh process, so the load above does not inflate the idle figure.
  await proxy.stop();
  proxy = await startProxy(PROXY_PORT, { ...env, OPENROUTER_BASE_URL: fake.url });
  log('memory ...');
  const memory = await measureMemory(proxy, sizes.streams, sizes.leak);
  await proxy.stop();
  log('startup with a warm cache ...');
  const startups: number[] = [];
  for (let i = 0; i < sizes.startups; i++) {
    proxy = await startProxy(PROXY_PORT, { ...env, OPENROUTER_BASE_URL: fake.url });
    startups.push(proxy.startupMs);
    await proxy.stop();
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
    startup: { runs: startups.length, medianMs: median(startups) },
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
  const rows: string[][] = [['measure', 'direct', 'proxy', 'difference / target', 'bare fetch relay']];
  for (const l of results.latency) {
    const relayed = (value: number, added: number) => `${f(value, 3)} (+${f(added, 3)})`;
    rows.push([`c=${l.concurrency} total p50 (ms)`, f(l.direct.totalP50, 3), f(l.proxy.totalP50, 3), `+${f(l.addedP50, 3)} ms${l.concurrency === 1 ? ' (target <= 0.3)' : ''}`, relayed(l.relay.totalP50, l.relayAddedP50)]);
    rows.push([`c=${l.concurrency} total p99 (ms)`, f(l.direct.totalP99, 3), f(l.proxy.totalP99, 3), `+${f(l.addedP99, 3)} ms${l.concurrency === 1 ? ' (target <= 1)' : ` (proxy p99/p50 ${f(l.proxy.totalP99 / l.proxy.totalP50)}, target <= 3)`}`, relayed(l.relay.totalP99, l.relayAddedP99)]);
    rows.push([`c=${l.concurrency} TTFB p50 (ms)`, f(l.direct.ttfbP50, 3), f(l.proxy.ttfbP50, 3), '', f(l.relay.ttfbP50, 3)]);
    rows.push([`c=${l.concurrency} requests/s`, f(l.direct.rps, 0), f(l.proxy.rps, 0), `x${f(l.proxy.rps / l.direct.rps)}${l.concurrency === 64 ? ' (target >= 0.25)' : ''}`, `${f(l.relay.rps, 0)} (x${f(l.relay.rps / l.direct.rps)})`]);
  }
  const s = results.streaming;
  rows.push([`stream ${s.chunks} chunks/s`, f(s.directChunksPerSec, 0), f(s.proxyChunksPerSec, 0), `x${f(s.ratio)} (targets >= 300000/s, >= 0.5)`]);
  const m = results.memory;
  rows.push(['RSS idle (MB)', '', f(m.idleMb, 1), '']);
  rows.push([`RSS with ${m.openStreams} open streams (MB)`, '', f(m.peakWithOpenStreamsMb, 1), 'target <= 100']);
  rows.push([`RSS growth over ${m.leakRequests} requests (MB)`, '', f(m.growthMb, 1), `${f(m.rssAfterWarmupMb, 1)} -> ${f(m.rssAfterAllMb, 1)}`]);
  rows.push(['startup to first 200, warm cache (ms)', '', f(results.startup.medianMs, 1), 'target <= 150']);
  rows.push([`routing, ${results.routing.models} models / ${results.routing.coolingDown} cooling (us/request)`, '', f(results.routing.microsecondsPerRequest, 1), 'target <= 200']);
  const r = results.requestLog;
  rows.push(['dashboard request log (us/request)', '', f(r.microsecondsPerRequest, 2), `${f(r.microsecondsWithDashboardOpen, 2)} with a dashboard open`]);
  const w = results.waiting;
  rows.push([`${w.queued}/${w.waiters} requests waiting ${f(w.windowMs / 1000, 1)} s for the per-minute cap (CPU ms/s)`, '', f(w.cpuMsPerSecond, 2), `${w.served} served after it lifted`]);
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  process.stdout.write(`machine: ${results.machine.cores} cores, ${results.machine.cpu}, Node ${results.machine.node}\n`);
  for (const row of rows) process.stdout.write(`${row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()}\n`);
}
