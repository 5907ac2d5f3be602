// Slowloris: hundreds of connections that send their headers, or their body, a byte at a time, while
// ordinary requests keep coming. Misbehaviour: an ordinary request that fails or waits over 2 s.
import { connect, type Socket } from 'node:net';
import { call } from '../../tests/helpers/reliability-helpers.ts';
import type { Counter } from './tally.ts';

const SLOW_CONNECTIONS = 200;
const DRIP_MS = 500;
const MAX_LATENCY_MS = 2_000;

/** Holds slow connections open and checks ordinary requests until `deadline`. */
export async function slowloris(url: string, deadline: number, counter: Counter): Promise<void> {
  const { hostname, port } = new URL(url);
  const sockets: Socket[] = [];
  const drips: NodeJS.Timeout[] = [];
  for (let i = 0; i < SLOW_CONNECTIONS; i++) {
    const socket = connect(Number(port), hostname);
    socket.on('error', () => {});
    sockets.push(socket);
    counter.tally.tried++;
    // Half send their headers a byte at a time; half send whole headers, then a body a byte at a time.
    const head = i % 2 === 0 ? 'POST /v1/messages HTTP/1.1\r\nHost: localhost\r\n' : 'POST /api/chat HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n';
    socket.write(head);
    drips.push(setInterval(() => socket.writable && socket.write(i % 2 === 0 ? 'X' : ' '), DRIP_MS));
  }
  try {
    while (performance.now() < deadline) {
      await Promise.all([
        timed(counter, 'GET /api/tags', () => call(url, '/api/tags')),
        timed(counter, 'POST /api/chat', () => call(url, '/api/chat', { body: { model: 'qwen3-coder:free', stream: false, messages: [{ role: 'user', content: 'still there?' }] } })),
      ]);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    for (const drip of drips) clearInterval(drip);
    for (const socket of sockets) socket.destroy();
  }
}

function timed(counter: Counter, what: string, run: () => Promise<{ status: number }>): Promise<void> {
  return counter.attempt(what, async () => {
    const started = performance.now();
    const answer = await run();
    const ms = performance.now() - started;
    if (answer.status !== 200) throw new Error(`status ${answer.status}`);
    if (ms > MAX_LATENCY_MS) throw new Error(`took ${Math.round(ms)} ms`);
  });
}
