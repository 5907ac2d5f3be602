// Small helpers for tests that start whole processes on loopback.
import { createServer } from 'node:net';

/** A port that was free a moment ago, for processes that need a fixed PORT before they start. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
