import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

// After the answer, a client still sending a body past the bound has this long to finish and read
// the answer before the connection goes (nginx's lingering close does the same for 5-30 s).
const LINGER_MS = 2_000;

/**
 * Deals with the rest of a request body that the server is about to refuse unread (a 413, a 401, an
 * upload it never takes). Closing a connection with unread data makes the kernel reset it, and the
 * client, still sending, sees a broken pipe instead of the answer. So: a body within `limitBytes`
 * is read to its end and dropped before the answer is written (the connection stays clean, and
 * usable for the next request); a larger one is answered at once, and the connection is then
 * half-closed and let go of `LINGER_MS` later, reading and dropping whatever arrives meanwhile.
 */
export async function discardUnreadBody(req: IncomingMessage, res: ServerResponse, limitBytes: number): Promise<void> {
  if (req.complete || req.destroyed || req.socket.destroyed) return;
  const declared = Number(req.headers['content-length']);
  const drained = Number.isFinite(declared) && declared > limitBytes ? false : await drain(req, limitBytes);
  if (!drained) lingerAfterAnswer(req, res);
}

/** Reads and drops the body; true once it ended within the limit, false past it (or when the client left). */
function drain(req: IncomingMessage, limitBytes: number): Promise<boolean> {
  return new Promise((resolve) => {
    let discarded = 0;
    const done = (drained: boolean): void => {
      req.off('data', onData).off('end', onEnd).off('close', onClose);
      resolve(drained);
    };
    const onData = (chunk: Buffer): void => {
      discarded += chunk.length;
      if (discarded > limitBytes) done(false);
    };
    const onEnd = (): void => done(true);
    const onClose = (): void => done(false);
    req.on('data', onData).once('end', onEnd).once('close', onClose);
    req.resume();
  });
}

function lingerAfterAnswer(req: IncomingMessage, res: ServerResponse): void {
  const socket = req.socket;
  // Still flowing with nobody listening: what arrives is dropped as it comes.
  req.resume();
  // Node ends a `Connection: close` exchange with socket.destroySoon(), which closes the socket as
  // soon as the answer is written: with the body still arriving, that is the reset. Half-close instead.
  socket.destroySoon = () => halfClose(socket);
  // A kept-alive exchange is not ended by node at all: the rest of the body would still be coming.
  res.once('finish', () => halfClose(socket));
}

function halfClose(socket: Socket): void {
  if (socket.destroyed || socket.writableEnded) return;
  socket.end();
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}
