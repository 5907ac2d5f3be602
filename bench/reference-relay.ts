// A reference, not a product: the smallest node:http + fetch relay that can answer the latency
// scenario (read the body, set the model, fetch upstream, relay the answer as it arrives). No routing, validation,
// logging or error handling. What it adds over a direct connection is the floor any fetch-based
// proxy pays on this machine; the benchmark prints it beside the proxy's figure.
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { port: { type: 'string' }, upstream: { type: 'string' }, model: { type: 'string' } } });
const upstream = `${values.upstream}/chat/completions`;

createServer(async (req, res) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = JSON.parse(Buffer.concat(chunks).toString()) as { model: string };
  body.model = values.model ?? body.model;
  const answer = await fetch(upstream, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-or-v1-bench' }, body: JSON.stringify(body) });
  res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
  // Relayed as it arrives, so that the memory scenario can hold streams open through it too.
  if (answer.body !== null) for await (const chunk of answer.body) res.write(chunk);
  res.end();
}).listen(Number(values.port), '127.0.0.1', () => process.stdout.write('listening\n'));
