// Serves a recording folder over HTTP as an OpenAI-compatible upstream, through the same replaying
// fetch the proxy uses, so that rigs can point other tools at a recorded session.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpError } from '../errors.ts';
import { readRecordingSet } from './recording-set.ts';
import { createReplayFetch, type ReplayTiming } from './replayer.ts';

export interface ReplayServerOptions {
  dir: string;
  port?: number;
  host?: string;
  timing?: ReplayTiming;
}

export interface ReplayServer {
  /** The base URL to configure as the upstream, e.g. `http://127.0.0.1:4010/api/v1`. */
  url: string;
  /** Files that could not be used, each with the reason. */
  problems: Array<{ file: string; message: string }>;
  close(): Promise<void>;
}

// The recordings hold paths relative to the base URL; the server serves them under OpenRouter's prefix.
const PREFIX = '/api/v1';

/** Starts the replay server on loopback (port 0 by default). The model is ignored unless replay.json asks for strict matching. */
export async function startReplayServer(options: ReplayServerOptions): Promise<ReplayServer> {
  const set = readRecordingSet(options.dir);
  const base = `http://replay.invalid${PREFIX}`;
  const replay = createReplayFetch({ recordings: set.recordings, matching: { mode: set.mode ?? 'free', ignore: set.ignore }, baseUrl: base, timing: options.timing ?? 'fast' });
  const server = createServer((req, res) => {
    serve(replay, base, req, res).catch(() => res.destroy());
  });
  server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  const host = options.host ?? '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${(server.address() as AddressInfo).port}${PREFIX}`;
  return {
    url,
    problems: set.problems,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

async function serve(replay: typeof fetch, base: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const controller = new AbortController();
  res.on('close', () => controller.abort());
  const path = (req.url ?? '/').startsWith(PREFIX) ? (req.url ?? '/').slice(PREFIX.length) : (req.url ?? '/');
  const init: RequestInit = { method: req.method ?? 'GET', signal: controller.signal };
  if (chunks.length > 0) init.body = Buffer.concat(chunks).toString('utf8');
  let response: Response;
  try {
    response = await replay(`${base}${path}`, init);
  } catch (error) {
    // A miss answers in OpenRouter's error shape; a recorded refusal drops the connection, as it did.
    if (!(error instanceof HttpError)) return void res.destroy();
    res.writeHead(error.status, { 'Content-Type': 'application/json' });
    return void res.end(JSON.stringify({ error: { code: error.status, message: error.message } }));
  }
  res.writeHead(response.status, Object.fromEntries(response.headers));
  if (response.body === null) return void res.end();
  try {
    for await (const chunk of response.body) {
      // One write per recorded chunk, flushed at once, keeps the recorded chunk boundaries on the wire.
      if (!res.write(chunk)) await once(res, 'drain', { signal: controller.signal });
    }
    res.end();
  } catch {
    // A recorded broken stream breaks the connection here too, once the chunks before the break
    // (still corked until the next tick) have reached the socket.
    setImmediate(() => res.destroy());
  }
}
