// One chat request through each of the four client APIs, with whatever comes back checked against
// that API's wire shape and reduced to one comparable ending: done, or an error with its message.
import assert from 'node:assert/strict';
import { createSseParser } from '../../src/streams/sse-parser.ts';
import { ndjson, type Target } from './harness.ts';
import { call, errorMessage } from './reliability-helpers.ts';

export type Api = 'ollama' | 'openai' | 'anthropic' | 'responses';
export const APIS: readonly Api[] = ['ollama', 'openai', 'anthropic', 'responses'];

/** What a client saw, whatever the API. */
export interface Ending {
  status: number;
  /** `error`: an error body, or an error ending inside a 200 stream. */
  ended: 'done' | 'error';
  error?: string;
  content: string;
}

export const PATHS: Record<Api, string> = { ollama: '/api/chat', openai: '/v1/chat/completions', anthropic: '/v1/messages', responses: '/v1/responses' };

/** A chat request in `api`'s own shape. */
export function requestBody(api: Api, model: string, text: string, stream: boolean): Record<string, unknown> {
  const messages = [{ role: 'user', content: text }];
  if (api === 'anthropic') return { model, max_tokens: 100, messages, stream };
  if (api === 'responses') return { model, input: text, stream };
  return { model, messages, stream };
}

/** Sends one chat through `api` to a proxy (no socket) or a base URL, and reads the whole answer. */
export async function ask(target: Target, api: Api, options: { model: string; stream: boolean; text?: string; timeoutMs?: number }): Promise<Ending> {
  const body = requestBody(api, options.model, options.text ?? 'hello', options.stream);
  // A socket's silence is bounded by its own timeout; without one the call ends with the answer.
  const answer = await call(target, PATHS[api], typeof target === 'string' ? { body, timeoutMs: options.timeoutMs ?? 20_000 } : { body });
  return endingOf(api, options.stream, answer);
}

/** Reads a whole answer of `api` (its status, content type and body), checking its wire shape. */
export function endingOf(api: Api, stream: boolean, answer: { status: number; headers: Record<string, unknown>; text: string }): Ending {
  if (answer.status !== 200) {
    assert.match(String(answer.headers['content-type']), /^application\/json/, answer.text);
    const shape = api === 'ollama' ? 'ollama' : api === 'anthropic' ? 'anthropic' : 'openai';
    return { status: answer.status, ended: 'error', error: errorMessage(shape, answer.text), content: '' };
  }
  const read = stream ? STREAM_READERS[api] : WHOLE_READERS[api];
  return { status: 200, ...read(answer.text) };
}

type Reader = (text: string) => Omit<Ending, 'status'>;

/** SSE blocks as {event, data}; the payloads of `data:` lines. */
function sseEvents(text: string): Array<{ event: string; data: string }> {
  const events: Array<{ event: string; data: string }> = [];
  const parser = createSseParser((event) => void events.push({ event: event.event ?? 'message', data: event.data }));
  parser.feed(text);
  parser.end();
  return events;
}

const STREAM_READERS: Record<Api, Reader> = {
  ollama(text) {
    const lines = ndjson(text);
    // Exactly one terminal line: `done: true`, or an error.
    assert.equal(lines.filter((line) => line.done === true || 'error' in line).length, 1, text);
    const last = lines.at(-1);
    const content = lines.map((line) => line.message?.content ?? '').join('');
    if ('error' in last) return { ended: 'error', error: errorMessage('ollama', JSON.stringify(last)), content };
    assert.equal(last.done, true, text);
    return { ended: 'done', content };
  },
  openai(text) {
    const payloads = sseEvents(text).map((event) => event.data);
    const last = payloads.at(-1) ?? '';
    const chunks = payloads.slice(0, -1).map((payload) => JSON.parse(payload));
    const content = chunks.map((chunk) => chunk.choices?.[0]?.delta?.content ?? '').join('');
    if (last === '[DONE]') return { ended: 'done', content };
    return { ended: 'error', error: errorMessage('openai', last), content };
  },
  anthropic(text) {
    const events = sseEvents(text);
    const last = events.at(-1);
    const content = events.filter((event) => event.event === 'content_block_delta').map((event) => JSON.parse(event.data).delta?.text ?? '').join('');
    if (last?.event === 'message_stop') return { ended: 'done', content };
    assert.equal(last?.event, 'error', text);
    return { ended: 'error', error: errorMessage('anthropic', last.data), content };
  },
  responses(text) {
    const events = sseEvents(text);
    const last = events.at(-1);
    const content = events.filter((event) => event.event === 'response.output_text.delta').map((event) => JSON.parse(event.data).delta).join('');
    if (last?.event === 'response.completed') return { ended: 'done', content };
    assert.equal(last?.event, 'response.failed', text);
    const error = JSON.parse(last.data).response.error;
    assert.equal(typeof error.message, 'string', text);
    return { ended: 'error', error: error.message, content };
  },
};

const WHOLE_READERS: Record<Api, Reader> = {
  ollama: (text) => ({ ended: 'done', content: JSON.parse(text).message.content }),
  openai: (text) => ({ ended: 'done', content: JSON.parse(text).choices[0].message.content ?? '' }),
  anthropic: (text) => ({ ended: 'done', content: JSON.parse(text).content.map((block: { text?: string }) => block.text ?? '').join('') }),
  responses: (text) => ({
    ended: 'done',
    content: JSON.parse(text).output.flatMap((item: { content?: Array<{ text?: string }> }) => item.content ?? []).map((part: { text?: string }) => part.text ?? '').join(''),
  }),
};
