// What a routed chat carries between the OpenRouter client, the core and the dialects.
import type { UpstreamError } from '../errors.ts';
import type { ChatChunk } from './wire.ts';

/** A parsed chunk (with its raw JSON, for relaying), or a terminal error. An error is always the last part. */
export type ChatPart = { type: 'chunk'; chunk: ChatChunk; data: string } | { type: 'error'; error: UpstreamError };

export type ChunkPart = Extract<ChatPart, { type: 'chunk' }>;

/** When a routed chat started and when its upstream answered (monotonic ms), for the timings clients see. */
export interface StreamTiming {
  /** When the proxy received the request. */
  startedAt: number;
  /** When the upstream answered with headers. */
  headersAt: number;
}

/** True when a chunk carries something a client would see, as opposed to a bare role announcement. */
export function chunkHasContent(chunk: ChatChunk): boolean {
  if (chunk.usage !== undefined) return true;
  for (const choice of chunk.choices ?? []) {
    const delta = choice.delta;
    if (choice.finish_reason) return true;
    if (delta && (delta.content || delta.reasoning || (delta.tool_calls && delta.tool_calls.length > 0))) return true;
  }
  return false;
}
