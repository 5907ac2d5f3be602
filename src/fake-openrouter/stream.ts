// Streams a planned reply as OpenRouter SSE, with mid-stream faults and backpressure.
import { setInterval as every, setTimeout as sleep } from 'node:timers/promises';
import { USER_ID } from './errors.ts';
import { inBandError } from './faults.ts';
import type { ReplyPlan } from './replies.ts';
import { createChunkEncoder, nativeFinishReason } from './wire.ts';
import type { Frame } from './wire.ts';
import type { Fault, Sink } from './types.ts';

export const KEEP_ALIVE = ': OPENROUTER PROCESSING\n\n';
// Events are batched up to this many characters per write; an event is never split.
const BATCH_CHARS = 16_384;

export interface StreamJob {
  sink: Sink;
  frame: Frame;
  plan: ReplyPlan;
  usage: Record<string, unknown>;
  usageShape: 'empty-choices' | 'choice';
  keepAliveComments: number;
  fault: Fault | undefined;
}

type MidStreamFault = Extract<Fault, { kind: 'error-chunk' | 'stall' | 'reset' | 'malformed' | 'truncate' }>;

// Faults that act inside a stream; error-body becomes a bare error event before any content.
function midStreamFault(fault: Fault | undefined): MidStreamFault | undefined {
  if (fault === undefined) return undefined;
  if (fault.kind === 'error-body') return { kind: 'error-chunk', afterChunks: 0, shape: 'bare', code: fault.status };
  const kinds: Fault['kind'][] = ['error-chunk', 'stall', 'reset', 'malformed', 'truncate'];
  return kinds.includes(fault.kind) ? fault as MidStreamFault : undefined;
}

/** Resolves once the signal aborts (client gone or fake closed). */
function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

function errorEvent(job: StreamJob, fault: Extract<Fault, { kind: 'error-chunk' }>): string {
  const error = inBandError(fault.code, fault.message, job.frame.model);
  if (fault.shape === 'bare') return `data: ${JSON.stringify({ error, user_id: USER_ID })}\n\n`;
  const { id, created, model, provider } = job.frame;
  const choices = fault.shape === 'empty-choices' ? []
    : [{ index: 0, delta: { content: '' }, finish_reason: 'error', native_finish_reason: 'error' }];
  return `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, provider, error, choices })}\n\n`;
}

// Carries out a terminal fault once the preceding events are flushed.
async function strike(job: StreamJob, fault: MidStreamFault): Promise<void> {
  const { sink } = job;
  if (fault.kind === 'error-chunk') return sink.end(errorEvent(job, fault));
  if (fault.kind === 'truncate') return sink.end();
  if (fault.kind === 'reset') return sink.destroy();
  if (fault.kind === 'stall') {
    if (fault.keepAliveEveryMs === undefined) return untilAborted(sink.signal);
    for await (const _ of every(fault.keepAliveEveryMs, undefined, { signal: sink.signal })) await sink.write(KEEP_ALIVE);
  }
}

/** Streams the reply: keep-alive comments, role-repeating chunks, finish chunk, usage chunk, [DONE]. */
export async function sendStream(job: StreamJob): Promise<void> {
  const { sink, plan } = job;
  const encoder = createChunkEncoder(job.frame);
  const fault = midStreamFault(job.fault);
  const faultAt = fault === undefined ? -1 : Math.min(Math.max(fault.afterChunks, 0), plan.pieces.length);
  sink.start(200, {
    'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', 'X-Generation-Id': job.frame.id,
  });
  let pending = KEEP_ALIVE.repeat(job.keepAliveComments);
  const flush = async (): Promise<void> => {
    if (pending === '') return;
    const text = pending;
    pending = '';
    await sink.write(text);
  };
  await flush();
  for (let i = 0; i <= plan.pieces.length; i++) {
    if (fault !== undefined && i === faultAt) {
      // A malformed event is not terminal: the stream carries on so parsers can show they skip it.
      if (fault.kind === 'malformed') pending += 'data: {not json\n\n';
      else {
        await flush();
        return strike(job, fault);
      }
    }
    const piece = plan.pieces[i];
    if (piece === undefined) break;
    if (plan.delayMs > 0 && i > 0) {
      await flush();
      await sleep(plan.delayMs, undefined, { signal: sink.signal });
    }
    pending += encoder.piece(piece);
    if (pending.length >= BATCH_CHARS) await flush();
  }
  pending += encoder.finish(plan.finishReason, nativeFinishReason(job.frame.provider, plan.finishReason));
  pending += encoder.usage(job.usage, job.usageShape);
  pending += 'data: [DONE]\n\n';
  await flush();
  sink.end();
}
