// Load generation with node:http and a keep-alive agent: cheaper per request than fetch, so the
// generator's own cost stays small next to what is measured. Every loop is bounded by a count.
import { Agent, request } from 'node:http';

export interface Timing {
  ttfbMs: number;
  /** When the first body bytes arrived (for a stream: its first chunk). */
  firstDataMs: number;
  totalMs: number;
}

export const agent = new Agent({ keepAlive: true, maxSockets: 2048 });

/** POSTs a JSON body and reads the whole answer; `onData` sees each chunk (for parsing costs). */
export function postJson(url: string, body: string, onData?: (chunk: Buffer) => void): Promise<Timing & { status: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), Authorization: 'Bearer sk-or-v1-bench' } }, (res) => {
      const ttfbMs = performance.now() - started;
      let firstDataMs = NaN;
      res.on('data', (chunk: Buffer) => {
        if (Number.isNaN(firstDataMs)) firstDataMs = performance.now() - started;
        onData?.(chunk);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ttfbMs, firstDataMs, totalMs: performance.now() - started }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Runs `total` requests with at most `concurrency` in flight; returns each timing and the wall time. */
export async function runConcurrent(total: number, concurrency: number, once: () => Promise<Timing & { status: number }>): Promise<{ timings: Timing[]; wallMs: number }> {
  const timings: Timing[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < total) {
      next++;
      const result = await once();
      if (result.status !== 200) throw new Error(`unexpected status ${result.status}`);
      timings.push(result);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { timings, wallMs: performance.now() - started };
}

/** The q-quantile (0..1) of a list of numbers. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

/** The median of several runs' figures. */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** A line splitter that JSON-parses every complete line, as a real client does; returns the count. */
export function lineParser(prefix: string): { feed(chunk: Buffer): void; count(): number } {
  let pending = '';
  let parsed = 0;
  return {
    feed(chunk) {
      const text = pending + chunk.toString('utf8');
      let start = 0;
      for (let end = text.indexOf('\n', start); end !== -1; end = text.indexOf('\n', start)) {
        const line = text.slice(start, end);
        start = end + 1;
        if (line.startsWith(prefix) && line !== `${prefix}[DONE]`) {
          JSON.parse(line.slice(prefix.length));
          parsed++;
        }
      }
      pending = text.slice(start);
    },
    count: () => parsed,
  };
}
