// Shared helpers of the fake OpenRouter's own tests: start on port 0, call it like a client would.
import type { TestContext } from 'node:test';
import { startFakeOpenRouter } from '../../src/fake-openrouter/server.ts';
import type { FakeOpenRouter, FakeOpenRouterOptions } from '../../src/fake-openrouter/server.ts';

export type Json = Record<string, any>;

export const AUTH = { Authorization: 'Bearer sk-or-v1-test0000000000000000', 'Content-Type': 'application/json' };
export const FREE_MODEL = 'meta-llama/llama-3.3-70b-instruct:free';
export const EMBEDDING_MODEL = 'openai/text-embedding-3-small';

/** Starts a fake on 127.0.0.1 port 0 that the test closes when it ends. */
export async function startFake(t: TestContext, options: FakeOpenRouterOptions = {}): Promise<FakeOpenRouter> {
  const fake = await startFakeOpenRouter({ port: 0, ...options });
  t.after(() => fake.close());
  return fake;
}

/** POST /chat/completions with the test key. */
export function chat(fake: FakeOpenRouter, body: Json, init: RequestInit = {}): Promise<Response> {
  return fetch(`${fake.url}/chat/completions`, { method: 'POST', headers: AUTH, body: JSON.stringify(body), ...init });
}

/** POST /embeddings with the test key. */
export function embed(fake: FakeOpenRouter, model: string, input: string): Promise<Response> {
  return fetch(`${fake.url}/embeddings`, { method: 'POST', headers: AUTH, body: JSON.stringify({ model, input }) });
}

/** A one-message chat body. */
export function userSays(text: string, extra: Json = {}): Json {
  return { model: 'openai/gpt-4o', messages: [{ role: 'user', content: text }], ...extra };
}

/** The parsed `data:` JSON events of an SSE body. */
export function sseEvents(text: string): Json[] {
  return text.split('\n\n').filter((b) => b.startsWith('data: {')).map((b) => JSON.parse(b.slice(6)) as Json);
}
