// Fixtures and small readers shared by the client, client-sequence and upstream-fidelity tests.
import { request } from 'node:http';
import type { TestContext } from 'node:test';
import { Ollama } from 'ollama';
import { APP_ORIGIN, send, startProxy, type Proxy, type Target } from './harness.ts';

/** The `/api/tags` names of the default fake catalog in free mode, in the proxy's priority order. */
export const FREE_MODEL_NAMES = [
  'gemini-2.0-flash-exp:free', 'quasar-alpha:latest', 'qwen3-coder:free', 'deepseek-r1:free', 'gpt-oss-20b:free',
  'mistral-small-3.1-24b-instruct:free', 'llama-3.3-70b-instruct:free', 'llama-nemotron-embed-vl-1b-v2:free', 'acme/chat-7b:free',
  'other/chat-7b:free',
];

/** A proxy (closed when the test ends) and an `ollama` client that reaches it through `proxy.fetch`. */
export async function ollamaClient(t: TestContext, env?: Record<string, string>): Promise<{ proxy: Proxy; ollama: Ollama }> {
  const proxy = await startProxy(t, env ? { env } : {});
  return { proxy, ollama: new Ollama({ host: APP_ORIGIN, fetch: proxy.fetch }) };
}

/** Reads a client's stream to the end. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const parts: T[] = [];
  for await (const part of iterable) parts.push(part);
  return parts;
}

/** The first bytes of real image files: enough for the proxy's MIME sniffing, and valid base64. */
export const PNG_BYTES = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);
export const JPEG_BYTES = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1]);
export const PNG_BASE64 = Buffer.from(PNG_BYTES).toString('base64');
export const JPEG_BASE64 = Buffer.from(JPEG_BYTES).toString('base64');

/** A tool as Ollama and OpenAI clients both spell it. */
export const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string', description: 'City name' }, days: { type: 'integer' } },
      required: ['city'],
    },
  },
};

/** The request bodies the offline OpenRouter received for chat completions, oldest first. */
export function upstreamChats(proxy: Proxy): Array<Record<string, any>> {
  return proxy.fake.chatRequests();
}

/** The last chat completion body the offline OpenRouter received. */
export function lastUpstreamChat(proxy: Proxy): Record<string, any> {
  const all = proxy.fake.chatRequests();
  const last = all[all.length - 1];
  if (last === undefined) throw new Error('OpenRouter received no chat request');
  return last;
}

/** The last embeddings body the offline OpenRouter received. */
export function lastUpstreamEmbedding(proxy: Proxy): Record<string, any> {
  const found = proxy.fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/embeddings')).at(-1);
  if (found === undefined) throw new Error('OpenRouter received no embeddings request');
  return found.body as Record<string, any>;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Each body chunk exactly as the socket (or, through `proxy.fetch`, the app) delivered it, decoded as UTF-8. */
  reads: string[];
  text: string;
}

/**
 * Sends one request and records every body read separately, which is how Enchanted (OllamaKit) sees
 * a stream: each read must hold whole lines. A proxy is reached through `proxy.fetch` (a read is one
 * chunk of the app's reply); a base URL with node:http (a read is what the socket delivered).
 */
export async function rawRequest(target: Target, path: string, method: string, headers: Record<string, string>, body?: string): Promise<RawResponse> {
  if (typeof target === 'string') return socketRequest(`${target}${path}`, method, headers, body);
  const response = await send(target, path, { method, headers, ...(body === undefined ? {} : { body }) });
  const reads: string[] = [];
  const decoder = new TextDecoder();
  for await (const chunk of response.body ?? []) reads.push(decoder.decode(chunk, { stream: true }));
  return { status: response.status, headers: Object.fromEntries(response.headers), reads, text: reads.join('') };
}

function socketRequest(url: string, method: string, headers: Record<string, string>, body?: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const reads: string[] = [];
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => reads.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, reads, text: reads.join('') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Splits an NDJSON body the way Continue does: on "\n", keeping the unterminated tail as a buffer. */
export function continueLines(text: string): { lines: unknown[]; leftover: string } {
  const parts = text.split('\n');
  const leftover = parts.pop() ?? '';
  return { lines: parts.filter((line) => line.trim() !== '').map((line) => JSON.parse(line)), leftover };
}

/** The Modelfile `parameters` parser Continue uses on `/api/show`. */
export function continueParameters(parameters: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const line of parameters.split('\n')) {
    const match = /^(\S+)\s+((?:".*")|\S+)$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) found.set(match[1], match[2]);
  }
  return found;
}

/** A version as Open WebUI and Copilot read it: strip a leading "v" and anything after "-", then int() each part. */
export function parseDottedVersion(version: string): number[] {
  return version.replace(/^v|-.*/g, '').split('.').map((part) => {
    if (!/^\d+$/.test(part)) throw new Error(`int() fails on ${JSON.stringify(part)}`);
    return Number(part);
  });
}

/** True when `a` ≥ `b`, comparing dotted versions part by part. */
export function versionAtLeast(a: number[], b: number[]): boolean {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}

/** Parses an SSE body into its JSON `data:` payloads, checking it ends with `data: [DONE]`. */
export function sseJson(text: string): any[] {
  const blocks = text.split('\n\n').filter((block) => block !== '');
  if (blocks[blocks.length - 1] !== 'data: [DONE]') throw new Error(`SSE body does not end with [DONE]: ${JSON.stringify(text.slice(-80))}`);
  return blocks.slice(0, -1).map((block) => {
    if (!block.startsWith('data: ')) throw new Error(`not an SSE data block: ${JSON.stringify(block)}`);
    return JSON.parse(block.slice('data: '.length));
  });
}

/** An RFC 3339 timestamp with `Z` or an offset, as Swift's ISO8601DateFormatter and Python's fromisoformat read it. */
export const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

// Replaying recorded client requests.

/** One request of a recorded client sequence. */
export interface Step {
  method: 'GET' | 'HEAD' | 'POST' | 'DELETE';
  path: string;
  headers: Record<string, string>;
  body?: unknown;
}

/** Sends one recorded request to the proxy (through `proxy.fetch`), byte for byte as the client would. */
export function replay(proxy: Proxy, step: Step): Promise<RawResponse> {
  const body = step.body === undefined ? undefined : JSON.stringify(step.body);
  return rawRequest(proxy, step.path, step.method, step.headers, body);
}

/** The body of a JSON answer. */
export function json(response: RawResponse): any {
  return JSON.parse(response.text);
}

/** Every line parses on its own, none is blank, and the body ends with a newline. */
export function ndjsonLines(response: RawResponse): any[] {
  if (!response.text.endsWith('\n')) throw new Error('the last NDJSON line does not end with \\n');
  const lines = response.text.slice(0, -1).split('\n');
  if (lines.some((line) => line.trim() === '')) throw new Error('blank NDJSON line');
  return lines.map((line) => JSON.parse(line));
}

/** The Content-Type of every JSON answer, errors included (aiohttp's response.json() insists on it). */
export const JSON_TYPE = 'application/json; charset=utf-8';
