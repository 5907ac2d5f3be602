// The measured scenarios. Each returns plain figures; run.ts prints and saves them.
import { lineParser, median, postJson, quantile, runConcurrent, type Timing } from './load.ts';
import type { Running } from './processes.ts';

export const DIRECT_MODEL = 'meta-llama/llama-3.3-70b-instruct:free';
const chatBody = (model: string, content: string, stream: boolean) => JSON.stringify({ model, stream, messages: [{ role: 'user', content }] });

export interface LatencyFigures {
  concurrency: number;
  requests: number;
  direct: { ttfbP50: number; ttfbP99: number; totalP50: number; totalP99: number; rps: number };
  proxy: { ttfbP50: number; ttfbP99: number; totalP50: number; totalP99: number; rps: number };
  relay: { ttfbP50: number; ttfbP99: number; totalP50: number; totalP99: number; rps: number };
  addedP50: number;
  addedP99: number;
  /** What the bare fetch relay adds: the floor for any fetch-based proxy here. */
  relayAddedP50: number;
  relayAddedP99: number;
}

function summarize(timings: readonly Timing[], wallMs: number) {
  const totals = timings.map((timing) => timing.totalMs);
  const ttfbs = timings.map((timing) => timing.ttfbMs);
  return { ttfbP50: quantile(ttfbs, 0.5), ttfbP99: quantile(ttfbs, 0.99), totalP50: quantile(totals, 0.5), totalP99: quantile(totals, 0.99), rps: (timings.length / wallMs) * 1000 };
}

function medianOf<T extends Record<string, number>>(runs: readonly T[]): T {
  const first = runs[0] as T;
  const out: Record<string, number> = {};
  for (const key of Object.keys(first)) out[key] = median(runs.map((run) => run[key] as number));
  return out as T;
}

/** Small non-streamed chats straight to the upstream, through the proxy's /v1, and through the bare relay, interleaved run by run. */
export async function measureLatency(fake: Running, proxy: Running, relay: Running, concurrency: number, requests: number, runs: number): Promise<LatencyFigures> {
  const direct = () => postJson(`${fake.url}/chat/completions`, chatBody(DIRECT_MODEL, 'hello', false));
  const viaProxy = () => postJson(`${proxy.url}/v1/chat/completions`, chatBody('llama-3.3-70b-instruct:free', 'hello', false));
  const viaRelay = () => postJson(`${relay.url}/`, chatBody(DIRECT_MODEL, 'hello', false));
  for (const path of [direct, viaProxy, viaRelay]) await runConcurrent(200, concurrency, path);
  const runsOf = { direct: [] as ReturnType<typeof summarize>[], proxy: [] as ReturnType<typeof summarize>[], relay: [] as ReturnType<typeof summarize>[] };
  const added = { p50: [] as number[], p99: [] as number[], relayP50: [] as number[], relayP99: [] as number[] };
  for (let run = 0; run < runs; run++) {
    const d = await runConcurrent(requests, concurrency, direct);
    const p = await runConcurrent(requests, concurrency, viaProxy);
    const r = await runConcurrent(requests, concurrency, viaRelay);
    const [ds, ps, rs] = [summarize(d.timings, d.wallMs), summarize(p.timings, p.wallMs), summarize(r.timings, r.wallMs)];
    runsOf.direct.push(ds);
    runsOf.proxy.push(ps);
    runsOf.relay.push(rs);
    added.p50.push(ps.totalP50 - ds.totalP50);
    added.p99.push(ps.totalP99 - ds.totalP99);
    added.relayP50.push(rs.totalP50 - ds.totalP50);
    added.relayP99.push(rs.totalP99 - ds.totalP99);
  }
  return {
    concurrency, requests,
    direct: medianOf(runsOf.direct), proxy: medianOf(runsOf.proxy), relay: medianOf(runsOf.relay),
    addedP50: median(added.p50), addedP99: median(added.p99), relayAddedP50: median(added.relayP50), relayAddedP99: median(added.relayP99),
  };
}

/** One long stream, every line JSON-parsed by the client: NDJSON through the proxy, SSE straight from the upstream. */
export async function measureStreaming(fake: Running, proxy: Running, chunks: number, runs: number) {
  const content = `[chunks=${chunks}]`;
  const once = async (url: string, body: string, prefix: string) => {
    const parser = lineParser(prefix);
    const timing = await postJson(url, body, (chunk) => parser.feed(chunk));
    if (parser.count() < chunks) throw new Error(`only ${parser.count()} of ${chunks} chunks arrived from ${url}`);
    return (chunks / timing.totalMs) * 1000;
  };
  const direct: number[] = [];
  const viaProxy: number[] = [];
  for (let run = 0; run < runs; run++) {
    direct.push(await once(`${fake.url}/chat/completions`, chatBody(DIRECT_MODEL, content, true), 'data: '));
    viaProxy.push(await once(`${proxy.url}/api/chat`, chatBody('llama-3.3-70b-instruct:free', content, true), ''));
  }
  const directRate = median(direct);
  const proxyRate = median(viaProxy);
  return { chunks, directChunksPerSec: directRate, proxyChunksPerSec: proxyRate, ratio: proxyRate / directRate };
}

export const PROXY_MODEL = 'llama-3.3-70b-instruct:free';
/** A 5 s stream: 20 chunks 250 ms apart; the first comes at once, so its arrival measures admission. */
export const slowStreamBody = (model: string) => chatBody(model, '[chunks=20][delay=250]', true);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One server's RSS idle, at its peak while `streams` streams are open at once, and in the 10 s after
 * they all ended; plus admission: the time from each stream's request to its first chunk.
 */
export async function measureOpenStreams(server: Running, url: string, body: string, streams: number) {
  // One request first, so "idle" includes the code a served request loads.
  await postJson(url, body);
  await sleep(500);
  const idleMb = server.rssMb();
  let peakMb = idleMb;
  const sampler = setInterval(() => (peakMb = Math.max(peakMb, server.rssMb())), 50);
  const timings = await Promise.all(Array.from({ length: streams }, () => postJson(url, body).then((result) => {
    if (result.status !== 200) throw new Error(`stream failed with ${result.status}`);
    return result;
  })));
  clearInterval(sampler);
  // After the load: how low RSS gets within 10 s, and when it first came within idle + 40 MB.
  const loadEnded = performance.now();
  let afterLoadMb = server.rssMb();
  let settledMs: number | undefined;
  for (let elapsed = 0; elapsed < 10_000; elapsed = performance.now() - loadEnded) {
    afterLoadMb = Math.min(afterLoadMb, server.rssMb());
    if (settledMs === undefined && afterLoadMb <= idleMb + 40) settledMs = elapsed;
    await sleep(100);
  }
  const firsts = timings.map((timing) => timing.firstDataMs);
  return {
    streams, idleMb, peakMb, perStreamKb: ((peakMb - idleMb) * 1024) / streams,
    admissionP50Ms: quantile(firsts, 0.5), admissionMaxMs: Math.max(...firsts),
    afterLoadMinMb: afterLoadMb, afterLoadSettledMs: settledMs ?? null,
  };
}

/** RSS growth over `requests` small requests after a warm-up: a leak shows as steady growth. */
export async function measureGrowth(proxy: Running, requests: number) {
  const small = () => postJson(`${proxy.url}/api/chat`, chatBody(PROXY_MODEL, 'hi', false));
  const warmup = Math.round(requests / 5);
  await runConcurrent(warmup, 16, small);
  const afterWarmupMb = proxy.rssMb();
  await runConcurrent(requests - warmup, 16, small);
  const afterAllMb = proxy.rssMb();
  return { leakRequests: requests, rssAfterWarmupMb: afterWarmupMb, rssAfterAllMb: afterAllMb, growthMb: afterAllMb - afterWarmupMb };
}
