// Fuzz: seeded garbage at every route (methods, paths, headers, bodies) and raw bytes on sockets.
// Misbehaviour: an internal error, an answer not in its API's shape, no answer, or the key in a body.
import { once } from 'node:events';
import { connect } from 'node:net';
import { checkAnswer, checkRawAnswer, createRandom, METHODS, randomBody, randomHeaders, randomPath, randomRawRequest } from '../../tests/helpers/fuzz-inputs.ts';
import { call } from '../../tests/helpers/reliability-helpers.ts';
import type { Counter } from './tally.ts';

const PARALLEL = 12;

/** Runs fuzz batches against `url` until `deadline` (performance.now() ms). */
export async function fuzz(url: string, deadline: number, counter: Counter, seed: number, key: string): Promise<void> {
  const random = createRandom(seed);
  for (let batch = 0; performance.now() < deadline; batch++) {
    await Promise.all(Array.from({ length: PARALLEL }, () => {
      if (batch % 4 === 3) return raw(url, random.next() * 2 ** 32, counter);
      const path = randomPath(random);
      const method = random.pick(METHODS);
      const body = randomBody(random, path);
      const headers = randomHeaders(random);
      return counter.attempt(`${method} ${path}`, async () => {
        const sendsBody = method !== 'GET' && method !== 'HEAD' && body !== undefined;
        const answer = await call(url, path, { method, body: sendsBody ? body : undefined, headers, timeoutMs: 15_000 });
        checkAnswer(method, path, answer);
        if (answer.text.includes(key)) throw new Error('the OpenRouter key is in the answer');
      });
    }));
  }
}

function raw(url: string, seed: number, counter: Counter): Promise<void> {
  const bytes = randomRawRequest(createRandom(seed));
  return counter.attempt(`raw ${JSON.stringify(bytes.subarray(0, 40).toString('latin1'))}`, async () => {
    const { hostname, port } = new URL(url);
    const socket = connect(Number(port), hostname);
    socket.on('error', () => {});
    let answer = '';
    socket.setEncoding('latin1').on('data', (chunk: string) => (answer += chunk));
    socket.end(bytes);
    const timer = setTimeout(() => socket.destroy(new Error('no close within 40 s')), 40_000);
    await once(socket, 'close');
    clearTimeout(timer);
    checkRawAnswer(bytes, answer);
  });
}
