// Replay pacing: `realtime` keeps the recorded chunk boundaries and offsets, `fast` keeps the boundaries only.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fromRecordedChunk, fromRecordingText, type Recording } from '../../src/recording/format.ts';
import { DEFAULT_IGNORE } from '../../src/recording/ignore-rules.ts';
import { createReplayFetch, type ReplayTiming } from '../../src/recording/replayer.ts';
import { post } from '../helpers/harness.ts';
import { recordingProxy, scratch, waitForFiles } from './session.ts';

const BASE = 'http://replay.invalid/api/v1';
const FREE = { mode: 'free', ignore: DEFAULT_IGNORE } as const;

/** Reads a replayed body, noting each chunk with its offset (ms) from the moment the response arrived. */
async function readTimed(response: Response): Promise<Array<{ ms: number; text: string }>> {
  const start = performance.now();
  const out: Array<{ ms: number; text: string }> = [];
  for await (const chunk of response.body as ReadableStream<Uint8Array>) out.push({ ms: performance.now() - start, text: new TextDecoder().decode(chunk) });
  return out;
}

async function replay(recording: Recording, timing: ReplayTiming) {
  const replayFetch = createReplayFetch({ recordings: [{ file: 'x.json', recording }], matching: FREE, baseUrl: BASE, timing });
  return readTimed(await replayFetch(`${BASE}${recording.request.path}`, { method: 'POST', body: JSON.stringify(recording.request.body) }));
}

test('realtime replay keeps the chunk boundaries and the recorded pacing; fast keeps the boundaries', async (t) => {
  const dir = scratch(t, 'recording-');
  const live = await recordingProxy(t, dir);
  const reply = await post(live, '/v1/chat/completions', { model: 'x', stream: true, messages: [{ role: 'user', content: '[delay=40] [chunks=5] go' }] });
  assert.equal(reply.status, 200);
  await waitForFiles(dir, live.fake.requests.length);
  const file = readdirSync(dir).find((name) => name.includes('-chat-')) as string;
  const recording = fromRecordingText(readFileSync(join(dir, file), 'utf8'));
  const recorded = recording.chunks.map((chunk) => ({ ms: chunk.ms, text: new TextDecoder().decode(fromRecordedChunk(chunk)) }));
  assert.ok(recorded.length >= 5, 'the paced events arrived as separate network chunks');
  const span = (recorded.at(-1)?.ms ?? 0) - (recorded[0]?.ms ?? 0);
  assert.ok(span >= 4 * 40 - 10, `the recording holds the pacing (${span} ms)`);

  const realtime = await replay(recording, 'realtime');
  assert.deepEqual(realtime.map((chunk) => chunk.text), recorded.map((chunk) => chunk.text), 'same chunk boundaries');
  for (const [i, chunk] of realtime.entries()) assert.ok(chunk.ms >= (recorded[i]?.ms ?? 0) - 1, `chunk ${i} not early: ${chunk.ms} vs ${recorded[i]?.ms}`);
  const replayedSpan = (realtime.at(-1)?.ms ?? 0) - (realtime[0]?.ms ?? 0);
  assert.ok(Math.abs(replayedSpan - span) <= 0.2 * span, `pacing within 20 %: replayed ${replayedSpan.toFixed(1)} ms, recorded ${span} ms`);

  const fast = await replay(recording, 'fast');
  assert.deepEqual(fast.map((chunk) => chunk.text), recorded.map((chunk) => chunk.text), 'fast keeps the boundaries too');
});

test('a recorded refusal rejects like undici, and a broken stream errors after its chunks', async () => {
  const request = { method: 'POST', path: '/chat/completions', body: { messages: [] } };
  const refused: Recording = { format: 'ollama-openrouter-proxy/recording@1', request, end: { kind: 'refused', message: 'connect ECONNREFUSED', code: 'ECONNREFUSED' }, chunks: [] };
  const replayFetch = createReplayFetch({ recordings: [{ file: 'r.json', recording: refused }], matching: FREE, baseUrl: BASE, timing: 'fast' });
  await assert.rejects(replayFetch(`${BASE}/chat/completions`, { method: 'POST', body: '{"messages":[]}' }), (error: TypeError & { cause: { code: string } }) => {
    assert.equal(error.message, 'fetch failed');
    assert.equal(error.cause.code, 'ECONNREFUSED');
    return true;
  });

  const broken: Recording = { ...refused, response: { status: 200, headers: { 'content-type': 'text/event-stream' } }, end: { kind: 'broken', message: 'other side closed', code: 'UND_ERR_SOCKET' }, chunks: [{ ms: 0, text: 'data: {}\n\n' }] };
  const brokenFetch = createReplayFetch({ recordings: [{ file: 'b.json', recording: broken }], matching: FREE, baseUrl: BASE, timing: 'fast' });
  const reader = (await brokenFetch(`${BASE}/chat/completions`, { method: 'POST', body: '{"messages":[]}' })).body?.getReader();
  assert.equal(new TextDecoder().decode((await reader?.read())?.value), 'data: {}\n\n');
  await assert.rejects(reader?.read() as Promise<unknown>, (error: TypeError & { cause: { code: string } }) => error.message === 'terminated' && error.cause.code === 'UND_ERR_SOCKET');
});

test('several recordings of one request replay in recorded order, then the last repeats', async () => {
  const make = (text: string): Recording => ({ format: 'ollama-openrouter-proxy/recording@1', request: { method: 'POST', path: '/embeddings', body: { input: 'a', model: 'm1' } }, response: { status: 200, headers: {} }, end: { kind: 'complete' }, chunks: [{ ms: 0, text }] });
  const replayFetch = createReplayFetch({ recordings: [{ file: '1.json', recording: make('one') }, { file: '2.json', recording: make('two') }], matching: FREE, baseUrl: BASE, timing: 'fast' });
  const texts: string[] = [];
  // Key order and the model (free mode) do not matter.
  for (const body of ['{"input":"a","model":"m1"}', '{"model":"m2","input":"a"}', '{"input":"a"}']) {
    texts.push(await (await replayFetch(`${BASE}/embeddings`, { method: 'POST', body })).text());
  }
  assert.deepEqual(texts, ['one', 'two', 'two']);
});
