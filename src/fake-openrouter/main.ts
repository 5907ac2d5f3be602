// Standalone entry: `node src/fake-openrouter/main.ts [--port 4010] [--host 127.0.0.1] [--models N --seed S]`.
// `--models N` serves a generated N-model catalog (deterministic for a seed) instead of the built-in one.
// `--replay DIR [--timing fast|realtime]` serves a recording folder (see src/recording/) instead of the fake.
import { parseArgs } from 'node:util';
import { startReplayServer } from '../recording/replay-server.ts';
import { generateCatalog, startFakeOpenRouter } from './server.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4010' },
    host: { type: 'string', default: '127.0.0.1' },
    models: { type: 'string' },
    seed: { type: 'string', default: '42' },
    replay: { type: 'string' },
    timing: { type: 'string', default: 'fast' },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`fake-openrouter: invalid --port ${values.port}`);
  process.exit(2);
}
if (values.timing !== 'fast' && values.timing !== 'realtime') {
  console.error(`fake-openrouter: invalid --timing ${values.timing} (fast or realtime)`);
  process.exit(2);
}

let server: { url: string; close(): Promise<void> };
if (values.replay === undefined) {
  const generated = values.models === undefined ? undefined : generateCatalog(Number(values.models), Number(values.seed));
  server = await startFakeOpenRouter({ port, host: values.host, ...(generated ? { models: generated } : {}) });
  console.log(`fake OpenRouter listening on ${server.url}`);
} else {
  let replay;
  try {
    replay = await startReplayServer({ dir: values.replay, port, host: values.host, timing: values.timing });
  } catch (error) {
    console.error(`fake-openrouter: cannot read --replay ${values.replay}: ${(error as Error).message}`);
    process.exit(2);
  }
  for (const problem of replay.problems) console.error(`fake-openrouter: unusable recording ${problem.file}: ${problem.message}`);
  server = replay;
  console.log(`replaying ${values.replay} on ${server.url}`);
}

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  server.close().then(() => process.exit(0), () => process.exit(1));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
