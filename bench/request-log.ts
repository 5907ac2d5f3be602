// The dashboard's request log in isolation: what one request costs it (begin, two attempts, first
// token, end), with nobody watching and with one open dashboard serialising every event.
import { createRequestLog } from '../src/status/request-log.ts';
import { median } from './load.ts';

/** Microseconds per logged request, median of `runs` runs of `iterations` requests. */
export function measureRequestLog(iterations: number, runs: number) {
  const once = (watched: boolean) => {
    const log = createRequestLog({ now: Date.now, monotonic: () => performance.now() });
    // The event stream's own work per event: one JSON.stringify of the row.
    if (watched) log.subscribe((row) => void JSON.stringify(row));
    const started = performance.now();
    for (let i = 0; i < iterations; i++) {
      const entry = log.begin({ api: 'ollama', requested: 'llama3.2' });
      entry.attempt({ model: 'a/one:free', outcome: 'transient', status: 502, error: 'upstream failed', ms: 3 });
      entry.attempt({ model: 'b/two:free', outcome: 'ok', ms: 4 });
      entry.firstToken();
      entry.end({ status: 200, model: 'b/two:free', tokens: { prompt: 10, completion: 20 } });
    }
    return ((performance.now() - started) / iterations) * 1000;
  };
  const unwatched: number[] = [];
  const watched: number[] = [];
  for (let run = 0; run < runs; run++) {
    unwatched.push(once(false));
    watched.push(once(true));
  }
  return { iterations, microsecondsPerRequest: median(unwatched), microsecondsWithDashboardOpen: median(watched) };
}
