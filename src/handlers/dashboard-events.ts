// `GET /status/events`: the dashboard's server-sent-events stream. The first event is a full
// snapshot; then `request` events as rows change, `chart` events, and `status`/`models` events only
// when their content changed. A comment line every heartbeat lets the browser notice a dead link.
import type { CatalogModel } from '../catalog/model-info.ts';
import type { ParsedRequest, Reply } from '../http/url-router.ts';
import type { HandlerContext } from '../serving/context.ts';
import { statusSnapshot } from './status.ts';
import type { RequestRow } from '../status/request-log.ts';

export interface EventsOptions {
  heartbeatMs: number;
  /** How long after a request ends the status is checked again (coalesces bursts of requests). */
  settleMs: number;
}

/** A model as the dashboard lists it. */
export interface ModelRow {
  name: string;
  id: string;
  context: number;
  caps: string[];
}

// A browser that stops reading must not make the server buffer without bound: past this many bytes
// queued unread the stream ends, and the page reconnects and starts again from a snapshot. Counted
// in bytes, not events: a row with long errors is kilobytes, and 2,000 of them were 75 MB a reader.
const MAX_QUEUED_BYTES = 1024 * 1024;
const encoder = new TextEncoder();

/** Formats one SSE event; JSON never contains a raw newline, so one `data:` line is enough. */
export function toSseEvent(name: string, data: unknown): Uint8Array {
  return encoder.encode(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
}

/** The dashboard's row for a model: names, context length and capabilities. */
export function toModelRow(model: CatalogModel): ModelRow {
  const caps = (['completion', 'tools', 'vision', 'thinking', 'embedding'] as const).filter((cap) => model.capabilities[cap]);
  return { name: model.name, id: model.id, context: model.contextLength, caps };
}

/** The health part of the status: what /status says, without the age that changes every second. */
function health(context: HandlerContext) {
  const status = statusSnapshot(context);
  if ('age_seconds' in status.catalog) delete (status.catalog as { age_seconds?: number }).age_seconds;
  return { ...status, upstream: context.requests.upstream(), last_errors: context.requests.lastErrors() };
}

function visibleModels(context: HandlerContext): readonly CatalogModel[] {
  try {
    return context.router.visibleModels();
  } catch {
    // The catalog is not loaded yet: no models, and the health panel says why.
    return [];
  }
}

/** Opens one dashboard event stream; it ends when the client goes away. */
export function handleStatusEvents(context: HandlerContext, request: ParsedRequest, options: EventsOptions): Reply {
  let cleanup = () => {};
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let lastHealth = '';
      let lastModels: readonly CatalogModel[] | undefined;
      let pending: ReturnType<typeof setTimeout> | undefined;
      // Once closed (the client left, or fell too far behind), nothing may be enqueued again: an
      // enqueue on a closed stream throws, and from a timer that would take the process down.
      let closed = false;
      // The opening snapshot may itself be large; only what piles up after it counts.
      let opening = true;
      const send = (chunk: Uint8Array) => {
        if (closed) return;
        if (!opening && (controller.desiredSize ?? 0) < -MAX_QUEUED_BYTES) return cleanup();
        controller.enqueue(chunk);
      };
      const check = (force: boolean) => {
        pending = undefined;
        if (closed) return;
        const current = health(context);
        const json = JSON.stringify(current);
        if (force || json !== lastHealth) send(toSseEvent('status', current));
        lastHealth = json;
        const models = visibleModels(context);
        if (force || models !== lastModels) send(toSseEvent('models', models.map(toModelRow)));
        lastModels = models;
        send(toSseEvent('chart', context.requests.perMinute()));
      };
      const onRow = (row: RequestRow) => {
        send(toSseEvent('request', row));
        if (!closed && row.done && pending === undefined) pending = setTimeout(() => check(false), options.settleMs);
      };
      const unsubscribe = context.requests.subscribe(onRow);
      const heartbeat = setInterval(() => {
        send(encoder.encode(': ping\n\n'));
        check(false);
      }, options.heartbeatMs);
      cleanup = () => {
        closed = true;
        unsubscribe();
        clearInterval(heartbeat);
        clearTimeout(pending);
        request.signal.removeEventListener('abort', cleanup);
        context.shutdown?.stopping.removeEventListener('abort', cleanup);
        cleanup = () => {};
        try {
          controller.close();
        } catch {
          // Already closed or cancelled.
        }
      };
      request.signal.addEventListener('abort', cleanup);
      // An endless stream would hold a stopping server open for the whole grace period.
      context.shutdown?.stopping.addEventListener('abort', cleanup);
      // The browser reconnects itself; `retry` tells an EventSource how soon.
      send(encoder.encode('retry: 2000\n\n'));
      send(toSseEvent('apis', context.apiLabels));
      send(toSseEvent('requests', context.requests.recent()));
      check(true);
      opening = false;
      if (context.shutdown?.stopping.aborted) cleanup();
    },
    cancel: () => cleanup(),
  }, { highWaterMark: 0, size: (chunk) => chunk.byteLength });
  return { stream, contentType: 'text/event-stream; charset=utf-8', headers: { 'Cache-Control': 'no-store' } };
}
