// The node:http adapter of the fake OpenRouter: recording, offline mode, sockets, lifecycle.
// Besides /api/v1 it serves a small control surface under /__fake (outages; see control.ts).
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createAbortTracker } from './aborts.ts';
import { defaultCatalog } from './catalog.ts';
import { createState, sendError } from './context.ts';
import { errorReply } from './errors.ts';
import { findHandler } from './routes.ts';
import type { FakeOpenRouter, FakeOpenRouterOptions, RecordedRequest, Sink } from './types.ts';

export type {
  Fault, FakeModel, FakeOpenRouter, FakeOpenRouterOptions, FreeLimits, KeyOptions, OutageOptions, OutageStatus, RateLimitScope, RecordedRequest,
} from './types.ts';
export { defaultCatalog } from './catalog.ts';
export { generateCatalog } from './catalog-generate.ts';

interface SinkHooks {
  onStart(headers: Record<string, string>): void;
  onDestroy(): void;
}

function createSink(res: ServerResponse, signal: AbortSignal, hooks: SinkHooks): Sink {
  return {
    signal,
    start(status, headers) {
      res.writeHead(status, headers);
      hooks.onStart(headers);
    },
    async write(text) {
      signal.throwIfAborted();
      if (!res.write(text)) await once(res, 'drain', { signal });
    },
    end(text) {
      if (!signal.aborted) res.end(text);
    },
    destroy() {
      hooks.onDestroy();
      // Response writes stay corked until the next tick; let them reach the socket first so that
      // "reset after N chunks" really delivers N chunks.
      setImmediate(() => res.destroy());
    },
  };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** Starts the fake on loopback (port 0 by default) and resolves once it listens. */
export async function startFakeOpenRouter(options: FakeOpenRouterOptions = {}): Promise<FakeOpenRouter> {
  const host = options.host ?? '127.0.0.1';
  const keepAliveComments = options.keepAliveComments ?? 1;
  const state = createState(options.models ?? defaultCatalog(), keepAliveComments, options.key, options.freeLimits);
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const aborts = createAbortTracker();
  let offline = false;
  let closing = false;
  let active = 0;

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const controller = new AbortController();
    let destroyedByUs = false;
    let streaming = false;
    res.on('close', () => {
      if (streaming) active--;
      if (res.writableFinished) return;
      controller.abort();
      if (!destroyedByUs && !closing) aborts.record();
    });
    const body = await readJson(req);
    const rawUrl = req.url ?? '/';
    requests.push({ method: req.method ?? 'GET', path: rawUrl, headers: { ...req.headers }, body });
    const url = new URL(rawUrl, 'http://fake.invalid');
    const sink = createSink(res, controller.signal, {
      onStart(headers) {
        streaming = headers['Content-Type'] === 'text/event-stream';
        if (!streaming) return;
        active++;
        // Commit the 200 at once, even when no keep-alive comment follows (e.g. a stall before any event).
        res.flushHeaders();
      },
      onDestroy() { destroyedByUs = true; },
    });
    const handler = findHandler(req.method ?? 'GET', url.pathname);
    try {
      await handler({ state, headers: req.headers, query: url.searchParams, body, sink });
    } catch (error) {
      if (controller.signal.aborted) return;
      if (res.headersSent) sink.destroy();
      else sendError(sink, errorReply(500, error instanceof Error ? error.message : 'Internal Server Error'));
    }
  }

  const server = createServer((req, res) => {
    if (offline) {
      req.socket.destroy();
      return;
    }
    // A client that vanishes mid-body makes the read reject; nothing is left to answer.
    serve(req, res).catch(() => res.destroy());
  });
  server.on('connection', (socket: Socket) => {
    if (offline) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(options.port ?? 0, host);
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}/api/v1`,
    port,
    requests,
    chatRequests: () => requests
      .filter((r) => r.method === 'POST' && r.path.split('?')[0] === '/api/v1/chat/completions')
      .map((r) => (typeof r.body === 'object' && r.body !== null ? r.body as Record<string, unknown> : {})),
    script: (modelId, ...faults) => state.faults.script(modelId, faults),
    setModels: (models) => { state.models = models; },
    setOffline: (value) => { offline = value; },
    outage: (outage) => state.outage.start(outage, Date.now()),
    outageStatus: () => state.outage.status(Date.now()),
    outageEnded: () => state.outage.ended(),
    endOutage: () => state.outage.end(),
    setKey: (key) => { state.key = key; },
    setFreeLimits: (limits) => { state.freeLimits = limits; },
    activeStreams: () => active,
    abortedStreams: () => aborts.count(),
    waitForAbort: (timeoutMs) => aborts.wait(timeoutMs),
    reset() {
      requests.length = 0;
      state.faults.clear();
      state.streamCount = 0;
      state.usageUsd = 0;
      state.outage.end();
      state.freeLimiter.reset();
      aborts.reset();
    },
    async close() {
      if (closing) return;
      closing = true;
      aborts.cancelAll();
      state.outage.end();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Destroying every socket ends stalls too; their abort signals then clear the pending timers.
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await closed;
    },
  };
}
