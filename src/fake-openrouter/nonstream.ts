// Sends a planned reply as one `chat.completion` JSON body, with the faults that apply to it.
import { setInterval as every, setTimeout as sleep } from 'node:timers/promises';
import { errorBodyText } from './errors.ts';
import { inBandError } from './faults.ts';
import type { ReplyPlan } from './replies.ts';
import { completionBody } from './wire.ts';
import type { Frame } from './wire.ts';
import type { Fault, Sink } from './types.ts';

export interface CompletionJob {
  sink: Sink;
  frame: Frame;
  plan: ReplyPlan;
  usage: Record<string, unknown>;
  fault: Fault | undefined;
}

// The keep-alive whitespace OpenRouter writes before slow non-stream bodies.
const LEADING_WHITESPACE = '\n\n   \n';

// A 200 body whose choice failed mid-generation: partial content, finish_reason "error", choice.error.
function erroredBody(job: CompletionJob, fault: Extract<Fault, { kind: 'error-chunk' }>): string {
  const error = inBandError(fault.code, fault.message, job.frame.model);
  if (fault.shape === 'bare') return errorBodyText(error);
  const body = completionBody(job.frame, job.plan, job.usage);
  if (fault.shape === 'empty-choices') return JSON.stringify({ ...body, choices: [], error });
  const sent = job.plan.pieces.slice(0, Math.max(0, fault.afterChunks));
  const content = sent.flatMap((p) => (p.kind === 'content' ? [p.text] : [])).join('');
  const message = { role: 'assistant', content, refusal: null, reasoning: null };
  const choice = { logprobs: null, finish_reason: 'error', native_finish_reason: 'error', index: 0, message, error };
  return JSON.stringify({ ...body, choices: [choice] });
}

async function stall(job: CompletionJob, headers: Record<string, string>, everyMs: number | undefined): Promise<void> {
  const { sink } = job;
  if (everyMs === undefined) {
    // Nothing at all, not even headers, until the client gives up or the fake closes.
    await new Promise<void>((resolve) => {
      if (sink.signal.aborted) resolve();
      else sink.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    return;
  }
  sink.start(200, headers);
  for await (const _ of every(everyMs, undefined, { signal: sink.signal })) await sink.write('\n');
}

/** Sends the non-streamed reply; generation time is simulated as delayMs per chunk. */
export async function sendCompletion(job: CompletionJob): Promise<void> {
  const { sink, plan, fault } = job;
  if (plan.delayMs > 0) await sleep(plan.delayMs * plan.pieces.length, undefined, { signal: sink.signal });
  const headers = { 'Content-Type': 'application/json', 'X-Generation-Id': job.frame.id };
  if (fault?.kind === 'stall') return stall(job, headers, fault.keepAliveEveryMs);
  const text = JSON.stringify(completionBody(job.frame, plan, job.usage));
  const half = text.slice(0, Math.floor(text.length / 2));
  sink.start(200, headers);
  switch (fault?.kind) {
    case 'leading-whitespace':
      return sink.end(LEADING_WHITESPACE + text);
    case 'error-body':
      return sink.end(errorBodyText(inBandError(fault.status, undefined, job.frame.model)));
    case 'error-chunk':
      return sink.end(erroredBody(job, fault));
    case 'malformed':
      return sink.end('{not json');
    case 'truncate':
      return sink.end(half);
    case 'reset':
      await sink.write(half);
      return sink.destroy();
    default:
      return sink.end(text);
  }
}
