// `npm run attack`: the reliability attack run, repeatable and bounded in time. The proxy runs as its
// own process (as `npm start` runs it) in front of a hostile upstream, which forwards what it does not
// script to the offline OpenRouter. Each category prints how many things it tried and how many
// misbehaved, with examples; the exit code is 1 when anything misbehaved.
//   --seconds N   the whole run's budget (default 120; --quick: 40), shared out between the categories
//   --seed N      the fuzz seed (default fixed)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeOpenRouter } from '../../src/fake-openrouter/server.ts';
import { startHostileUpstream } from '../../tests/helpers/hostile-upstream.ts';
import { fuzz } from './fuzz.ts';
import { hostileUpstream } from './hostile.ts';
import { killDuringRecording } from './kill-recording.ts';
import { startProxyProcess } from './proxy-process.ts';
import { slowloris } from './slowloris.ts';
import { createCounter, printTallies, type Tally } from './tally.ts';

const argument = (name: string): string | undefined => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const quick = process.argv.includes('--quick');
const seconds = Number(argument('--seconds') ?? (quick ? 40 : 120));
const seed = Number(argument('--seed') ?? 0x5eed_2026);
// Shares of the budget, in order.
const SHARES = { fuzz: 0.3, slowloris: 0.15, hostile: 0.35, kill: 0.2 };
const log = (message: string) => process.stderr.write(`${message}\n`);

const dir = mkdtempSync(join(tmpdir(), 'proxy-attack-'));
// A key of the real shape and one only the proxy knows: it must appear in no answer.
const KEY = `sk-or-v1-attack${Math.random().toString(16).slice(2).padEnd(16, '0')}`;
const fake = await startFakeOpenRouter();
const hostile = await startHostileUpstream(fake);
const env = {
  OPENROUTER_API_KEY: KEY,
  OPENROUTER_BASE_URL: hostile.url,
  FAILURE_DB: join(dir, 'failures.db'),
  FREE_MODELS_CACHE: join(dir, 'free-models'),
  MODEL_FILTER_PATH: join(dir, 'filter'),
  // Short enough that stalls end within the run; the rest as shipped.
  FIRST_TOKEN_TIMEOUT_SECONDS: '2',
  STREAM_IDLE_TIMEOUT_SECONDS: '2',
  LOG_LEVEL: 'INFO',
};
const tallies: Tally[] = [];
let peakRssMb = 0;
try {
  let proxy = await startProxyProcess(env);
  const processes = [proxy];
  const sampler = setInterval(() => (peakRssMb = Math.max(peakRssMb, proxy.rssMb())), 250);
  const run = async (name: keyof typeof SHARES, label: string, body: (url: string, deadline: number, counter: ReturnType<typeof createCounter>) => Promise<void>) => {
    log(`${label} (${Math.round(SHARES[name] * seconds)} s) ...`);
    const counter = createCounter(label);
    await body(proxy.url, performance.now() + SHARES[name] * seconds * 1000, counter);
    // A crash is the worst misbehaviour; the next category gets a fresh process.
    const death = proxy.death();
    if (death !== undefined) {
      counter.misbehaved(death);
      proxy = await startProxyProcess(env);
      processes.push(proxy);
    }
    tallies.push(counter.done());
  };
  await run('fuzz', 'fuzz', (url, deadline, counter) => fuzz(url, deadline, counter, seed, KEY));
  await run('slowloris', 'slowloris', (url, deadline, counter) => slowloris(url, deadline, counter));
  await run('hostile', 'hostile upstream', (url, deadline, counter) => hostileUpstream(url, hostile, deadline, counter, KEY));
  clearInterval(sampler);
  // Whatever the proxy logged as an error during all that is misbehaviour too.
  const logged = createCounter('proxy errors logged');
  for (const entry of processes.flatMap((process) => process.logs())) {
    logged.tally.tried++;
    if (entry.level === 'ERROR') logged.misbehaved(`${entry.msg} ${JSON.stringify(entry.error ?? '')}`);
    if (JSON.stringify(entry).includes(KEY)) logged.misbehaved('the OpenRouter key is in the log');
  }
  tallies.push(logged.done());
  // Its own processes, on the offline OpenRouter directly; the one above idles meanwhile.
  await run('kill', 'kill -9 while recording', (_url, deadline, counter) => killDuringRecording({ ...env, OPENROUTER_BASE_URL: fake.url }, dir, deadline, counter));
  await proxy.stop();
} finally {
  await hostile.close();
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
}
printTallies(tallies, [`proxy RSS peak during fuzz, slowloris and hostile upstream: ${peakRssMb.toFixed(0)} MB`, `seed ${seed}, budget ${seconds} s`]);
process.exit(tallies.some((tally) => tally.misbehaved > 0) ? 1 : 0);
