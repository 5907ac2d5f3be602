// Fixture pairs for dialects: a recorded OpenRouter stream (tests/fixtures/openrouter/*.sse) goes
// through the real client stages and a dialect's encoder, split at every byte offset, and must give
// exactly the bytes in tests/fixtures/dialects/<dialect>/. UPDATE_FIXTURES=1 rewrites the expected
// files from the current output (review the diff before committing it).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAnswerFold, type AnswerEvent, type CollectedAnswer } from '../../src/chat/answer.ts';
import { upstreamAnswerStage } from '../../src/openrouter/answer-stage.ts';
import { stageStream, type Stage } from '../../src/streams/stage.ts';

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
export async function encodeChunks(chunks: readonly Uint8Array[], encoder: Stage<AnswerEvent[], Uint8Array>): Promise<string> {
  const out = ReadableStream.from(chunks).pipeThrough(stageStream(upstreamAnswerStage(() => 0))).pipeThrough(stageStream(encoder));
  const decoder = new TextDecoder();
  let text = '';
  for await (const bytes of out) text += decoder.decode(bytes, { stream: true });
  return text + decoder.decode();
}

/** The events of a whole stream, in batches as the stages emit them. */
export async function answerEvents(chunks: readonly Uint8Array[]): Promise<AnswerEvent[][]> {
  const batches: AnswerEvent[][] = [];
  for await (const batch of ReadableStream.from(chunks).pipeThrough(stageStream(upstreamAnswerStage(() => 0)))) batches.push(batch);
  return batches;
}

/** The whole answer of a stream (what the core collects for a non-stream answer), or its error. */
export async function collectAnswerOf(bytes: Uint8Array): Promise<CollectedAnswer | { error: string }> {
  const fold = createAnswerFold();
  for (const batch of await answerEvents([bytes])) {
    const error = batch.find((event) => event.type === 'error');
    if (error !== undefined) return { error: error.error.message };
    fold.add(batch);
  }
  return fold.result();
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
export async function assertEverySplit(bytes: Uint8Array, makeEncoder: () => Stage<AnswerEvent[], Uint8Array>): Promise<string> {
  const whole = await encodeChunks([bytes], makeEncoder());
  for (let i = 1; i < bytes.length; i++) {
    assert.equal(await encodeChunks([bytes.subarray(0, i), bytes.subarray(i)], makeEncoder()), whole, `split at byte ${i}`);
  }
  assert.equal(await encodeChunks([...bytes].map((byte) => Uint8Array.of(byte)), makeEncoder()), whole, 'one byte at a time');
  return whole;
}
