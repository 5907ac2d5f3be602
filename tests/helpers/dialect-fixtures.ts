// Fixture pairs for dialects: a recorded OpenRouter stream (tests/fixtures/openrouter/*.sse) goes
// through the real client stages and a dialect's encoder, split at every byte offset, and must give
// exactly the bytes in tests/fixtures/dialects/<dialect>/. UPDATE_FIXTURES=1 rewrites the expected
// files from the current output (review the diff before committing it).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChatPart, ChunkPart } from '../../src/chat/parts.ts';
import { chatPartStage } from '../../src/openrouter/chat-part-stage.ts';
import { sseEventStage } from '../../src/streams/sse-parser.ts';
import { chain, stageStream, type Stage } from '../../src/streams/stage.ts';
import { utf8DecodeStage } from '../../src/streams/utf8-decode.ts';

const fixtures = new URL('../fixtures/', import.meta.url);

/** The recorded OpenRouter streams, by file name. */
export function openRouterStreams(): Array<{ name: string; bytes: Uint8Array }> {
  const folder = new URL('openrouter/', fixtures);
  return readdirSync(folder).filter((name) => name.endsWith('.sse')).sort().map((name) => ({ name, bytes: readFileSync(new URL(name, folder)) }));
}

/** A frozen clock and timing, so that timestamps and durations in expected files never change. */
export const frozen = {
  clock: { monotonic: () => 1000, wall: () => Date.UTC(2026, 0, 1) },
  timing: { startedAt: 1000, headersAt: 1000 },
};

/** Runs byte chunks through the client's stages and a dialect's encoder, as the proxy does. */
export async function encodeChunks(chunks: readonly Uint8Array[], encoder: Stage<ChatPart[], Uint8Array>): Promise<string> {
  const upstream = chain(chain(utf8DecodeStage(), sseEventStage()), chatPartStage(() => 0));
  const out = ReadableStream.from(chunks).pipeThrough(stageStream(upstream)).pipeThrough(stageStream(encoder));
  const decoder = new TextDecoder();
  let text = '';
  for await (const bytes of out) text += decoder.decode(bytes, { stream: true });
  return text + decoder.decode();
}

/** The chunk parts of a whole stream (what the core collects for a non-stream answer), or its error. */
export async function collectParts(bytes: Uint8Array): Promise<ChunkPart[] | { error: string }> {
  const upstream = chain(chain(utf8DecodeStage(), sseEventStage()), chatPartStage(() => 0));
  const parts: ChunkPart[] = [];
  for await (const batch of ReadableStream.from([bytes]).pipeThrough(stageStream(upstream))) {
    for (const part of batch) {
      if (part.type === 'error') return { error: part.error.message };
      parts.push(part);
    }
  }
  return parts;
}

/** Compares `actual` with an expected file (or writes it under UPDATE_FIXTURES=1). */
export function assertMatchesFile(relativePath: string, actual: string): void {
  const path = fileURLToPath(new URL(`dialects/${relativePath}`, fixtures));
  if (process.env.UPDATE_FIXTURES === '1' || !existsSync(path)) {
    assert.ok(process.env.UPDATE_FIXTURES === '1', `missing expected file ${path} (run with UPDATE_FIXTURES=1 to create it)`);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  assert.equal(actual, readFileSync(path, 'utf8'), relativePath);
}

/** Asserts the encoder gives the same bytes for the stream whole, split at every offset, and a byte at a time. */
export async function assertEverySplit(bytes: Uint8Array, makeEncoder: () => Stage<ChatPart[], Uint8Array>): Promise<string> {
  const whole = await encodeChunks([bytes], makeEncoder());
  for (let i = 1; i < bytes.length; i++) {
    assert.equal(await encodeChunks([bytes.subarray(0, i), bytes.subarray(i)], makeEncoder()), whole, `split at byte ${i}`);
  }
  assert.equal(await encodeChunks([...bytes].map((byte) => Uint8Array.of(byte)), makeEncoder()), whole, 'one byte at a time');
  return whole;
}
