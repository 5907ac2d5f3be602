// Standalone entry: `node src/fake-openrouter/main.ts [--port 4010] [--host 127.0.0.1] [--models N --seed S]`.
// `--models N` serves a generated N-model catalog (deterministic for a seed) instead of the built-in one.
import { parseArgs } from 'node:util';
import { generateCatalog, startFakeOpenRouter } from './server.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4010' },
    host: { type: 'string', default: '127.0.0.1' },
    models: { type: 'string' },
    seed: { type: 'string', default: '42' },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`fake-openrouter: invalid --port ${values.port}`);
  process.exit(2);
}

const generated = values.models === undefined ? undefined : generateCatalog(Number(values.models), Number(values.seed));
const fake = await startFakeOpenRouter({ port, host: values.host, ...(generated ? { models: generated } : {}) });
console.log(`fake OpenRouter listening on ${fake.url}`);

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  fake.close().then(() => process.exit(0), () => process.exit(1));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
