// Shared pieces of the free-mode, routing and catalog tests: the default catalog's order, chat calls, waits.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { Timers } from '../../src/routing/wait-queue.ts';
import { post, send, type Proxy, type Target } from './harness.ts';

/** The default catalog's free embedding model: listed in free mode, never tried for chat. */
export const FREE_EMBEDDER = 'nvidia/llama-nemotron-embed-vl-1b-v2:free';

/** The default fake catalog's free models, in the priority order the proxy must use (context length, largest first). */
export const FREE_ORDER = [
  'google/gemini-2.0-flash-exp:free', // 1048576, tools, images
  'openrouter/quasar-alpha', // 1000000, priced "0" without the :free suffix, tools
  'qwen/qwen3-coder:free', // 262144, tools
  'deepseek/deepseek-r1:free', // 163840, no tools
  'openai/gpt-oss-20b:free', // 131072, tools
  'mistralai/mistral-small-3.1-24b-instruct:free', // 128000, tools, images
  'meta-llama/llama-3.3-70b-instruct:free', // top provider 65536 (the card says 131072), tools
  FREE_EMBEDDER, // 8192, embeddings only; ties with acme keep OpenRouter's order
  'acme/chat-7b:free', // 8192, tools
  'other/chat-7b:free', // 4096, no tools
] as const;

/** FREE_ORDER without the embedder: the models a chat request may fall back to, in order. */
export const FREE_CHAT_ORDER = FREE_ORDER.filter((id) => id !== FREE_EMBEDDER);

/** The listed (Ollama) names of FREE_ORDER, as /api/tags shows them. */
export const FREE_NAMES = [
  'gemini-2.0-flash-exp:free',
  'quasar-alpha:latest',
  'qwen3-coder:free',
  'deepseek-r1:free',
  'gpt-oss-20b:free',
  'mistral-small-3.1-24b-instruct:free',
  'llama-3.3-70b-instruct:free',
  'llama-nemotron-embed-vl-1b-v2:free',
  'acme/chat-7b:free',
  'other/chat-7b:free',
] as const;

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

export interface ChatResult {
  status: number;
  text: string;
  json: () => any;
  model: string | null;
  attempts: string | null;
  headers: Headers;
}

/** A streamed Ollama chat with one user message; extra fields (tools, images, stream) override. */
export async function ollamaChat(target: Target, model: string, extra: Record<string, unknown> = {}): Promise<ChatResult> {
  const response = await post(target, '/api/chat', { model, messages: [{ role: 'user', content: 'hello' }], ...extra });
  return { ...response, model: response.headers.get('x-proxy-model'), attempts: response.headers.get('x-proxy-attempts') };
}

/** An OpenAI chat completion (not streamed unless `stream: true` is passed). */
export async function openaiChat(target: Target, model: string, extra: Record<string, unknown> = {}): Promise<ChatResult> {
  const response = await post(target, '/v1/chat/completions', { model, messages: [{ role: 'user', content: 'hello' }], ...extra });
  return { ...response, model: response.headers.get('x-proxy-model'), attempts: response.headers.get('x-proxy-attempts') };
}

/** The model ids the fake was asked for, in order, since the last `fake.reset()`. */
export function modelsTried(proxy: Proxy): string[] {
  return proxy.fake.chatRequests().map((body) => String(body.model));
}

/** Freezes the proxy's wall clock at the catalog's fetch time, so that cooldown ends are exact sums. */
export function freezeClockAtFetch(proxy: Proxy): number {
  const catalog = proxy.app.catalog.current();
  assert.ok(catalog, 'the catalog is loaded');
  proxy.clock.wallMs = catalog.fetchedAt;
  return catalog.fetchedAt;
}

/** The INFO `attempt` log lines, parsed. */
export function attemptLogs(proxy: Proxy): Array<{ level: string; model: string; attempt: number; outcome: string; status?: number }> {
  return proxy.logs.map((line) => JSON.parse(line)).filter((entry) => entry.msg === 'attempt');
}

/** GET a path and parse its JSON. */
export async function getJson(target: Target, path: string): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await send(target, path);
  return { status: response.status, body: await response.json(), headers: response.headers };
}

/** Polls `check` every 5 ms until it returns true; fails after `timeoutMs` (bounded, never hangs). */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 2000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Parses Ollama NDJSON lines out of a streamed body. */
export function ndjsonLines(text: string): any[] {
  return text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line));
}

/** A scratch directory removed when the test ends, for tests that share one between proxies. */
export function scratchDir(t: TestContext, prefix = 'free-mode-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Timers fired by hand (no sleeps): `fireAll` runs every pending one. */
export function handTimers() {
  const pending: (() => void)[] = [];
  const timers: Timers = {
    set: (callback) => (pending.push(callback), callback),
    clear: (handle) => {
      const index = pending.indexOf(handle as () => void);
      if (index >= 0) pending.splice(index, 1);
    },
  };
  return { timers, fireAll: () => pending.splice(0).forEach((callback) => callback()), pending };
}
