// A hostile OpenRouter for tests: a server in front of the offline OpenRouter that answers chat and
// embeddings requests with scripted misbehaviour (malformed chunks, endless bodies, keep-alives and
// nothing else, headers that never come, echoed keys) and forwards everything else to the fake.
// It records how each scripted exchange ended, so a test can prove the proxy let go of it.
import { once } from 'node:events';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { TestContext } from 'node:test';
import { startFakeOpenRouter, type FakeOpenRouter } from '../../src/fake-openrouter/server.ts';
import { startProxy, type Proxy, type ProxyOptions } from './harness.ts';

/** One scripted exchange, as an act sees it. */
export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  /** The request body, parsed. */
  body: Record<string, any>;
  /** Aborted when the proxy closes the connection (or the hostile server closes). */
  signal: AbortSignal;
}

/** How a scripted exchange answers. */
export type Act = (exchange: Exchange) => void | Promise<void>;

export type HostileRoute = 'chat' | 'embeddings';

export interface HostileUpstream {
  /** The base URL to use as OPENROUTER_BASE_URL. */
  url: string;
  /** Queues acts for a route; each is used by one request, then requests are forwarded again. */
  script(route: HostileRoute, ...acts: Act[]): void;
  /** How many requests reached a route, scripted or forwarded. */
  count(route: HostileRoute): number;
  /** How many scripted exchanges are still open (neither side has closed them). */
  open(): number;
  /** Resolves once every scripted exchange so far has been closed. */
  allClosed(): Promise<void>;
  close(): Promise<void>;
}

const ROUTES: Record<string, HostileRoute> = { '/api/v1/chat/completions': 'chat', '/api/v1/embeddings': 'embeddings' };

/** Starts a hostile upstream on loopback port 0 in front of `inner`. */
export async function startHostileUpstream(inner: FakeOpenRouter): Promise<HostileUpstream> {
  const queues: Record<HostileRoute, Act[]> = { chat: [], embeddings: [] };
  const counts: Record<HostileRoute, number> = { chat: 0, embeddings: 0 };
  const sockets = new Set<Socket>();
  const closing = new AbortController();
  let open = 0;
  let waiters: Array<() => void> = [];
  const settle = (): void => {
    open--;
    if (open > 0) return;
    for (const resolve of waiters) resolve();
    waiters = [];
  };

  const server = createServer((req, res) => {
    const route = ROUTES[(req.url ?? '').split('?')[0] ?? ''];
    if (route !== undefined) counts[route]++;
    const act = route === undefined ? undefined : queues[route].shift();
    if (act === undefined) return forward(inner, req, res);
    open++;
    const closed = new AbortController();
    res.once('close', () => {
      closed.abort();
      settle();
    });
    closing.signal.addEventListener('abort', () => closed.abort(), { once: true });
    void readBody(req).then((body) => act({ req, res, body, signal: closed.signal })).catch(() => res.destroy());
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`,
    script: (route, ...acts) => void queues[route].push(...acts),
    count: (route) => counts[route],
    open: () => open,
    allClosed: () => (open === 0 ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve))),
    async close() {
      closing.abort();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function readBody(req: IncomingMessage): Promise<Record<string, any>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, any>;
  } catch {
    return {};
  }
}

function forward(inner: FakeOpenRouter, req: IncomingMessage, res: ServerResponse): void {
  const upstream = request({ host: '127.0.0.1', port: inner.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  upstream.on('error', () => res.destroy());
  res.once('close', () => upstream.destroy());
  req.pipe(upstream);
}

/** A proxy whose OpenRouter is a hostile upstream in front of a fresh offline OpenRouter; all close when the test ends. */
export async function startHostileProxy(t: TestContext, options: ProxyOptions = {}): Promise<{ proxy: Proxy; hostile: HostileUpstream }> {
  const fake = await startFakeOpenRouter(options.fake);
  const hostile = await startHostileUpstream(fake);
  // Closed after the proxy (t.after runs in reverse order), so the proxy never sees it vanish first.
  t.after(async () => {
    await hostile.close();
    await fake.close();
  });
  const proxy = await startProxy(t, { ...options, useFake: fake, env: { ...options.env, OPENROUTER_BASE_URL: hostile.url } });
  return { proxy, hostile };
}

// ----- Acts -----

const SSE_HEADERS = { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' };

/** An ordinary streamed chunk carrying `content`. */
export function contentChunk(content: string, model = 'hostile/model'): string {
  return JSON.stringify({ id: 'gen-hostile', object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta: { role: 'assistant', content }, finish_reason: null }] });
}

/** Writes and waits for the socket to take it, unless the proxy has gone. */
async function write(exchange: Exchange, text: string | Uint8Array): Promise<boolean> {
  if (exchange.signal.aborted) return false;
  if (!exchange.res.write(text)) await Promise.race([once(exchange.res, 'drain'), once(exchange.signal, 'abort')]);
  return !exchange.signal.aborted;
}

/** Holds the exchange open until the proxy closes it. */
function hang(exchange: Exchange): Promise<void> {
  return exchange.signal.aborted ? Promise.resolve() : once(exchange.signal, 'abort').then(() => {});
}

/**
 * A 200 event stream that sends `lines` (each a raw SSE payload, sent as `data: …`), then either
 * ends, resets the connection, hangs with it open (so only the proxy can close it), or sends
 * keep-alive comments forever.
 */
export function sse(lines: readonly string[], then: 'end' | 'reset' | 'hang' | 'keep-alives' = 'hang'): Act {
  return async (exchange) => {
    exchange.res.writeHead(200, SSE_HEADERS);
    for (const line of lines) if (!(await write(exchange, `data: ${line}\n\n`))) return;
    if (then === 'end') return void exchange.res.end();
    // After the bytes are out: a reset that swallowed them would test nothing.
    if (then === 'reset') return void setImmediate(() => exchange.res.destroy());
    if (then === 'hang') return hang(exchange);
    while (await write(exchange, ': OPENROUTER PROCESSING\n\n')) await new Promise((resolve) => setTimeout(resolve, 5));
  };
}

/** A 200 event stream of raw bytes, written as they are, then held open. */
export function rawStream(text: string): Act {
  return async (exchange) => {
    exchange.res.writeHead(200, SSE_HEADERS);
    await write(exchange, text);
    await hang(exchange);
  };
}

/** A JSON answer with a status. */
export function json(status: number, body: unknown): Act {
  return (exchange) => {
    exchange.res.writeHead(status, { 'Content-Type': 'application/json' });
    exchange.res.end(JSON.stringify(body));
  };
}

/** Headers, then `chunk` over and over for as long as the proxy reads (an endless body). */
export function endless(contentType: string, chunk: string): Act {
  const bytes = new TextEncoder().encode(chunk.repeat(Math.max(1, Math.floor(65_536 / chunk.length))));
  return async (exchange) => {
    exchange.res.writeHead(200, { 'Content-Type': contentType });
    while (await write(exchange, bytes));
  };
}

/** Reads the request and never answers: no status line, no headers. */
export const silent: Act = (exchange) => hang(exchange);
