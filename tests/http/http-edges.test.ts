import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { test } from 'node:test';
import { waitFor } from '../helpers/free-mode-helpers.ts';
import { startProxy } from '../helpers/harness.ts';

test('a client that disconnects while sending its body is not a server error', async (t) => {
  const proxy = await startProxy(t, { socket: true });
  const { port } = new URL(proxy.url);
  const socket = connect(Number(port), '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write('POST /api/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n{"model":');
  await new Promise((resolve) => setTimeout(resolve, 50));
  socket.destroy();
  await waitFor(() => proxy.logs.some((line) => line.includes('"status":499')), 'the request log line');
  assert.equal(proxy.logs.filter((line) => line.includes('"level":"ERROR"')).length, 0, proxy.logs.join(''));
  assert.ok(proxy.logs.some((line) => line.includes('"status":499')), 'logged as the client closing, 499');
  assert.equal((await fetch(`${proxy.url}/`)).status, 200, 'the server still answers');
});

test('an error answer to a request without a body keeps the connection alive', async (t) => {
  const proxy = await startProxy(t, { env: { PROXY_API_KEY: 'secret-key' }, socket: true });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  t.after(() => agent.destroy());
  const get = (path: string, headers: Record<string, string>) =>
    new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
      request(`${proxy.url}${path}`, { agent, headers }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
      }).on('error', reject).end();
    });
  const cases = [['/nope', { Authorization: 'Bearer secret-key' }, 404], ['/api/tags', {}, 401]] as const;
  for (const [path, headers, status] of cases) {
    const answer = await get(path, headers);
    assert.equal(answer.status, status);
    assert.notEqual(answer.connection, 'close', `${path} keeps the connection`);
  }
});
