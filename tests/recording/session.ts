// The recorded session shared by the record/replay tests: one table of client requests covering every
// client API, streamed and not, with tools, reasoning, a fallback and a broken stream.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { Fault } from '../../src/fake-openrouter/server.ts';
import { ndjson, post, startProxy, type Proxy } from '../helpers/harness.ts';

export const KEY = 'sk-or-v1-test-key-0123456789';
/** Nothing listens on port 9 of loopback (discard): a replay that touched the network would fail. */
export const UNREACHABLE = 'http://127.0.0.1:9/api/v1';

export interface Step {
  name: string;
  path: string;
  body: Record<string, unknown>;
  /** Scripted on the fake for any model just before the step, while recording. */
  fault?: Fault;
}

const user = (content: string) => [{ role: 'user', content }];
const weather = { type: 'function', function: { name: 'get_weather', description: 'Weather in a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } };

export const SESSION: Step[] = [
  { name: 'ollama chat, fails over after a 429', path: '/api/chat', body: { model: 'llama3', stream: false, messages: user('hello there') }, fault: { kind: 'rate-limit', scope: 'upstream' } },
  { name: 'ollama chat streamed with thinking', path: '/api/chat', body: { model: 'llama3', think: true, messages: user('why is the sky blue') } },
  { name: 'ollama chat streamed with tools', path: '/api/chat', body: { model: 'llama3', tools: [weather], messages: user('Kyoto') } },
  { name: 'ollama chat, tool result turn', path: '/api/chat', body: { model: 'llama3', stream: false, tools: [weather], messages: [...user('Kyoto'), { role: 'assistant', content: '', tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'Kyoto' } } }] }, { role: 'tool', content: 'sunny' }] } },
  { name: 'ollama generate', path: '/api/generate', body: { model: 'llama3', stream: false, prompt: 'write a haiku' } },
  { name: 'ollama generate streamed', path: '/api/generate', body: { model: 'llama3', prompt: '[chunks=4] count' } },
  { name: 'openai chat', path: '/v1/chat/completions', body: { model: 'gpt-4o', messages: user('hi') } },
  { name: 'openai chat streamed with reasoning', path: '/v1/chat/completions', body: { model: 'gpt-4o', stream: true, reasoning_effort: 'low', messages: user('think first') } },
  { name: 'openai chat with tools', path: '/v1/chat/completions', body: { model: 'gpt-4o', tools: [weather], messages: user('Paris') } },
  { name: 'openai chat streamed with tools', path: '/v1/chat/completions', body: { model: 'gpt-4o', stream: true, tools: [weather], messages: user('Lima') } },
  { name: 'openai chat streamed, broken mid-answer', path: '/v1/chat/completions', body: { model: 'gpt-4o', stream: true, messages: user('[chunks=6] go') }, fault: { kind: 'reset', afterChunks: 3 } },
  { name: 'anthropic messages with tools', path: '/v1/messages', body: { model: 'claude-sonnet-4-5', max_tokens: 256, tools: [{ name: 'get_weather', description: 'Weather in a city', input_schema: weather.function.parameters }], messages: user('Oslo') } },
  { name: 'anthropic messages streamed with thinking', path: '/v1/messages', body: { model: 'claude-sonnet-4-5', max_tokens: 256, stream: true, thinking: { type: 'enabled', budget_tokens: 1024 }, messages: user('think it over') } },
  { name: 'responses', path: '/v1/responses', body: { model: 'gpt-oss:20b', input: 'hello responses' } },
  { name: 'responses streamed with tools', path: '/v1/responses', body: { model: 'gpt-oss:20b', stream: true, tools: [{ type: 'function', name: 'get_weather', parameters: weather.function.parameters }], input: 'Quito' } },
  { name: 'ollama embed', path: '/api/embed', body: { model: 'nomic-embed-text', input: ['a', 'b'] } },
  { name: 'openai embeddings', path: '/v1/embeddings', body: { model: 'text-embedding-3-small', input: 'a' } },
];

export interface Answer {
  status: number;
  body: unknown;
}

/** Sends every step in order and returns each answer with its volatile fields (times, durations) removed. */
export async function runSession(proxy: Proxy, steps: readonly Step[], record: boolean): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (const step of steps) {
    if (record && step.fault !== undefined) proxy.fake.script('*', step.fault);
    const reply = await post(proxy, step.path, step.body);
    answers.push({ status: reply.status, body: stable(parseBody(reply.headers.get('content-type') ?? '', reply.text)) });
  }
  return answers;
}

function parseBody(type: string, text: string): unknown {
  if (type.includes('ndjson')) return ndjson(text);
  // Each event's data, whatever other fields (`event:` in Anthropic's and the Responses API's streams) come with it.
  if (type.includes('event-stream')) return text.split('\n\n').flatMap((block) => block.split('\n').filter((line) => line.startsWith('data: ')).map((line) => line.slice(6))).map((data) => (data === '[DONE]' ? data : JSON.parse(data)));
  return JSON.parse(text);
}

const VOLATILE = /^(created|created_at|.*_duration)$/;

// Ids the proxy makes up per answer (Anthropic's msg_/toolu_, the Responses API's resp_/msg_/fc_/rs_): fresh each time.
const MINTED_ID = /\b(msg|toolu|resp|fc|rs|ctc)_[0-9a-f]{16,}(_\d+)?\b/g;

function stable(value: unknown): unknown {
  if (typeof value === 'string') return value.replaceAll(UNREACHABLE, '<upstream>').replace(/http:\/\/127\.0\.0\.1:\d+\/api\/v1/g, '<upstream>').replace(MINTED_ID, '$1_<id>');
  if (Array.isArray(value)) return value.map(stable);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => !VOLATILE.test(key)).map(([key, child]) => [key, stable(child)]));
}

/** The routing attempts a proxy logged: model, outcome and status, in order. */
export function attempts(proxy: Proxy): string[] {
  return proxy.logs.map((line) => JSON.parse(line)).filter((entry) => entry.msg === 'attempt').map((entry) => `${entry.model} ${entry.outcome} ${entry.status ?? ''}`.trim());
}

/** Waits (bounded) until `dir` holds `count` files: recordings are written asynchronously after each exchange. */
export async function waitForFiles(dir: string, count: number): Promise<void> {
  const done = () => readdirSync(dir).filter((file) => file.endsWith('.json')).length;
  for (let i = 0; i < 400 && done() < count; i++) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(done(), count);
}

/** A scratch folder removed when the test ends. */
export function scratch(t: TestContext, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A proxy recording into `dir`, in front of a fresh offline OpenRouter. */
export function recordingProxy(t: TestContext, dir: string, env: Record<string, string> = {}): Promise<Proxy> {
  return startProxy(t, { env: { RECORD_DIR: dir, ...env } });
}

/** A proxy replaying `dir` with no key and an upstream URL where nothing listens. */
export function replayingProxy(t: TestContext, dir: string, env: Record<string, string> = {}): Promise<Proxy> {
  return startProxy(t, { env: { REPLAY_DIR: dir, OPENROUTER_API_KEY: '', OPENROUTER_BASE_URL: UNREACHABLE, ...env } });
}
