// Fault injection against the offline OpenRouter. For each fault, in each of the four ways a client
// can ask (Ollama or OpenAI, streamed or not), this asserts what the client sees (status and body
// shape), whether the proxy fell back to another model, which cooldown it recorded, and that no
// upstream stream or timer is left behind. Through proxy.fetch, no socket: the fault is the point.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import type { Fault } from '../../src/fake-openrouter/server.ts';
import { ndjson, sseData, startProxy, type Proxy } from '../helpers/harness.ts';
import { activeTimers, assertSettled, call, errorMessage, writeCatalogCache } from '../helpers/reliability-helpers.ts';

const MODEL = 'qwen/qwen3-coder:free';
const MODEL_NAME = 'qwen3-coder:free';
// The free model tried next: the catalog's first one in priority order.
const NEXT = 'google/gemini-2.0-flash-exp:free';

type Mode = 'ollama-stream' | 'ollama-json' | 'openai-stream' | 'openai-json';
const MODES: readonly Mode[] = ['ollama-stream', 'ollama-json', 'openai-stream', 'openai-json'];
const isStream = (mode: Mode): boolean => mode.endsWith('-stream');

/** What a client saw, normalised across the four APIs; `error` is set for an error body or an in-stream error. */
interface Seen {
  status: number;
  model: string | undefined;
  attempts: number | undefined;
  content: string;
  error: string | undefined;
  retryAfter: string | undefined;
}

/** Asks through one API and checks the wire shape of whatever comes back. */
async function ask(proxy: Proxy, mode: Mode, text: string, model = MODEL_NAME): Promise<Seen> {
  const shape = mode.startsWith('ollama') ? 'ollama' : 'openai';
  const path = shape === 'ollama' ? '/api/chat' : '/v1/chat/completions';
  const answer = await call(proxy, path, { body: { model, messages: [{ role: 'user', content: text }], stream: isStream(mode) } });
  const seen: Seen = {
    status: answer.status,
    model: answer.headers['x-proxy-model'] as string | undefined,
    attempts: answer.headers['x-proxy-attempts'] === undefined ? undefined : Number(answer.headers['x-proxy-attempts']),
    content: '',
    error: undefined,
    retryAfter: answer.headers['retry-after'] as string | undefined,
  };
  if (answer.status !== 200) {
    assert.match(String(answer.headers['content-type']), /^application\/json/);
    seen.error = errorMessage(shape, answer.text);
    return seen;
  }
  if (mode === 'ollama-stream') {
    assert.equal(answer.headers['content-type'], 'application/x-ndjson');
    const lines = ndjson(answer.text);
    const last = lines.at(-1);
    // A stream ends with exactly one terminal line: `done: true`, or an error.
    assert.equal(lines.filter((line) => line.done === true || 'error' in line).length, 1, answer.text);
    if ('error' in last) seen.error = errorMessage('ollama', JSON.stringify(last));
    else assert.equal(last.done, true);
    seen.content = lines.map((line) => line.message?.content ?? '').join('');
  } else if (mode === 'openai-stream') {
    assert.match(String(answer.headers['content-type']), /^text\/event-stream/);
    const payloads = sseData(answer.text);
    const last = payloads.at(-1) ?? '';
    if (last === '[DONE]') payloads.pop();
    else seen.error = errorMessage('openai', last);
    for (const payload of payloads.slice(0, seen.error === undefined ? undefined : -1)) {
      seen.content += JSON.parse(payload).choices?.[0]?.delta?.content ?? '';
    }
  } else if (mode === 'ollama-json') {
    seen.content = JSON.parse(answer.text).message.content;
  } else {
    seen.content = JSON.parse(answer.text).choices[0].message.content;
  }
  return seen;
}

interface Expected {
  /** The model that answered, when one did. */
  answeredBy?: string;
  status: number;
  /** The error the client sees (in the body, or inside a 200 stream). */
  error?: RegExp;
  /** Models the proxy asked upstream, in order. */
  tried: string[];
  cooldown?: 'general' | 'rate-limit' | 'gone';
  accountLimit?: 'free-daily' | 'free-minute';
  retryAfter?: boolean;
}

interface FaultCase {
  name: string;
  faults: Fault[];
  env?: Record<string, string>;
  /** The expectation for each mode; `default` covers the others. */
  expect: Partial<Record<Mode | 'default', Expected>>;
}

const fallsBack = (cooldown: Expected['cooldown']): Expected => ({ answeredBy: NEXT, status: 200, tried: [MODEL, NEXT], cooldown });
const stops = (status: number, error: RegExp, extra: Partial<Expected> = {}): Expected => ({ status, error, tried: [MODEL], ...extra });
// After content has reached a streaming client the answer is committed: the error goes inside the
// 200 stream and the failure is still recorded. A client that asked for one JSON answer has seen
// nothing yet, so the proxy can still fall back.
const committed = (error: RegExp, cooldown: Expected['cooldown'] = 'general'): Expected => ({ answeredBy: MODEL, status: 200, error, tried: [MODEL], cooldown });
const midStream = (error: RegExp): FaultCase['expect'] => ({
  'ollama-stream': committed(error),
  'openai-stream': committed(error),
  default: fallsBack('general'),
});

const STALLS = { FIRST_TOKEN_TIMEOUT_SECONDS: '0.3', STREAM_IDLE_TIMEOUT_SECONDS: '0.3', REQUEST_TIMEOUT_SECONDS: '0.3' };

const CASES: FaultCase[] = [
  { name: '429 free-models-per-day', faults: [{ kind: 'rate-limit', scope: 'per-day' }],
    expect: { default: stops(429, /daily free-model request limit/, { accountLimit: 'free-daily', retryAfter: true }) } },
  { name: '429 free-models-per-day-high-balance', faults: [{ kind: 'rate-limit', scope: 'per-day-high-balance' }],
    expect: { default: stops(429, /daily free-model request limit/, { accountLimit: 'free-daily', retryAfter: true }) } },
  // MAX_WAIT_SECONDS=0: answered at once; waiting for the cap is tested in tests/routing/waiting-e2e.test.ts.
  { name: '429 free-models-per-min', faults: [{ kind: 'rate-limit', scope: 'per-min' }], env: { MAX_WAIT_SECONDS: '0' },
    expect: { default: stops(429, /per-minute free-model request limit/, { accountLimit: 'free-minute', retryAfter: true }) } },
  { name: '429 rate-limited upstream', faults: [{ kind: 'rate-limit', scope: 'upstream' }], expect: { default: fallsBack('rate-limit') } },
  { name: '500', faults: [{ kind: 'http', status: 500 }], expect: { default: fallsBack('general') } },
  { name: '502 with metadata.raw', faults: [{ kind: 'http', status: 502, raw: '{"error":{"message":"upstream exploded"}}' }], expect: { default: fallsBack('general') } },
  { name: '503 with Retry-After', faults: [{ kind: 'http', status: 503, retryAfterSeconds: 30 }], expect: { default: fallsBack('general') } },
  { name: '404 no endpoints', faults: [{ kind: 'no-endpoints' }], expect: { default: fallsBack('gone') } },
  { name: '401', faults: [{ kind: 'http', status: 401 }], expect: { default: stops(401, /OPENROUTER_API_KEY.*User not found/) } },
  { name: '402', faults: [{ kind: 'http', status: 402 }], expect: { default: stops(402, /Insufficient credits/) } },
  { name: '403', faults: [{ kind: 'http', status: 403 }], expect: { default: stops(403, /Key limit exceeded/) } },
  { name: 'connection reset before the headers', faults: [{ kind: 'reset', afterChunks: -1 }], expect: { default: fallsBack('general') } },
  { name: 'connection reset after some content', faults: [{ kind: 'reset', afterChunks: 2 }], expect: midStream(/^the connection to OpenRouter at http:\/\/127\.0\.0\.1:\d+\/api\/v1 broke mid-answer: UND_ERR_SOCKET \(other side closed\)$/) },
  { name: 'malformed SSE JSON before content', faults: [{ kind: 'malformed', afterChunks: 0 }], expect: { default: fallsBack('general') } },
  { name: 'malformed SSE JSON after content', faults: [{ kind: 'malformed', afterChunks: 2 }], expect: midStream(/malformed JSON/) },
  { name: 'error chunk before content', faults: [{ kind: 'error-chunk', afterChunks: 0 }], expect: { default: fallsBack('general') } },
  { name: 'error chunk after content', faults: [{ kind: 'error-chunk', afterChunks: 2 }], expect: midStream(/Provider returned error/) },
  { name: 'error chunk with empty choices', faults: [{ kind: 'error-chunk', afterChunks: 0, shape: 'empty-choices' }], expect: { default: fallsBack('general') } },
  { name: 'bare error chunk (no choices) after content', faults: [{ kind: 'error-chunk', afterChunks: 2, shape: 'bare' }], expect: midStream(/Provider returned error/) },
  { name: 'bare in-band free-models-per-day 429 before content',
    faults: [{ kind: 'error-chunk', afterChunks: 0, shape: 'bare', code: 429, message: 'Rate limit exceeded: free-models-per-day. Add 10 credits to unlock 1000 free model requests per day' }],
    expect: { default: stops(429, /daily free-model request limit/, { accountLimit: 'free-daily', retryAfter: true }) } },
  { name: 'stall before the first token (keep-alives only)', env: STALLS, faults: [{ kind: 'stall', afterChunks: 0, keepAliveEveryMs: 50 }],
    expect: { default: fallsBack('general') } },
  { name: 'stall after some content', env: STALLS, faults: [{ kind: 'stall', afterChunks: 2 }], expect: midStream(/stalled: nothing received for 0.3 s/) },
  { name: 'stream ends without [DONE] or a finish reason', faults: [{ kind: 'truncate', afterChunks: 2 }], expect: midStream(/closed the stream before it finished/) },
  { name: '200 body holding only an error', faults: [{ kind: 'error-body' }], expect: { default: fallsBack('general') } },
  { name: 'non-stream body preceded by whitespace', faults: [{ kind: 'leading-whitespace' }],
    expect: { default: { answeredBy: MODEL, status: 200, tried: [MODEL] } } },
];

async function check(t: TestContext, mode: Mode, fault: FaultCase): Promise<void> {
  const expected = fault.expect[mode] ?? fault.expect.default;
  assert.ok(expected, `no expectation for ${mode}`);
  const proxy = await startProxy(t, { env: fault.env });
  const timersBefore = activeTimers();
  proxy.fake.script(MODEL, ...fault.faults);
  const text = `fault ${fault.name} ${mode}`;
  const seen = await ask(proxy, mode, text);

  assert.equal(seen.status, expected.status, `status; saw ${JSON.stringify(seen)}`);
  assert.equal(seen.model, expected.answeredBy, 'the model that answered');
  if (expected.error === undefined) {
    assert.equal(seen.error, undefined);
    assert.equal(seen.content, `Echo: ${text}`);
  } else {
    assert.match(seen.error ?? '', expected.error);
  }
  assert.deepEqual(proxy.fake.chatRequests().map((body) => body.model), expected.tried, 'models tried upstream');
  if (expected.answeredBy !== undefined && expected.error === undefined) assert.equal(seen.attempts, expected.tried.length);
  assert.equal(seen.retryAfter !== undefined, expected.retryAfter ?? false, 'Retry-After header');

  const now = Date.now();
  const cooling = proxy.store.activeCooldowns(now);
  assert.deepEqual(cooling.map((failure) => [failure.model, failure.kind]), expected.cooldown ? [[MODEL, expected.cooldown]] : [], 'cooldowns');
  for (const scope of ['free-daily', 'free-minute'] as const) {
    assert.equal(proxy.store.accountLimit(scope, now) !== undefined, expected.accountLimit === scope, `account limit ${scope}`);
  }
  await assertSettled(proxy, timersBefore);
}

for (const fault of CASES) {
  describe(`fault: ${fault.name}`, () => {
    for (const mode of MODES) test(mode, (t) => check(t, mode, fault));
  });
}

// With FREE_MODE=false the requested model is the only candidate, so the client sees the upstream
// error itself: OpenRouter's status where a client can act on it (400-404, 429), 502 for other
// upstream failures, 504 for timeouts, with the real cause that OpenRouter hides in metadata.raw.
const DIRECT: Array<{ name: string; faults: Fault[]; status: number; error: RegExp; json?: RegExp; cooldown?: Expected['cooldown'] }> = [
  { name: '429 rate-limited upstream', faults: [{ kind: 'rate-limit', scope: 'upstream' }], status: 429,
    error: /^Provider returned error \(Venice\): qwen\/qwen3-coder:free is temporarily rate-limited upstream/, cooldown: 'rate-limit' },
  { name: '500', faults: [{ kind: 'http', status: 500 }], status: 502, error: /^Internal Server Error$/, cooldown: 'general' },
  { name: '502 with metadata.raw', faults: [{ kind: 'http', status: 502, raw: '{"error":{"message":"upstream exploded"}}' }], status: 502,
    error: /^Provider returned error \(DeepInfra\): upstream exploded$/, cooldown: 'general' },
  { name: '503 with Retry-After', faults: [{ kind: 'http', status: 503, retryAfterSeconds: 30 }], status: 502, error: /^Service temporarily unavailable$/, cooldown: 'general' },
  { name: '404', faults: [{ kind: 'no-endpoints' }], status: 404, error: /^No endpoints found for qwen\/qwen3-coder:free\.$/, cooldown: 'gone' },
  { name: 'reset before the headers', faults: [{ kind: 'reset', afterChunks: -1 }], status: 502, error: /^cannot reach OpenRouter at http:\/\/127\.0\.0\.1:\d+\/api\/v1: UND_ERR_SOCKET \(other side closed\)$/, cooldown: 'general' },
  { name: 'malformed SSE JSON', faults: [{ kind: 'malformed', afterChunks: 0 }], status: 502, error: /malformed JSON in the stream/, json: /not JSON/, cooldown: 'general' },
  { name: 'error chunk before content', faults: [{ kind: 'error-chunk', afterChunks: 0 }], status: 502, error: /^Provider returned error$/, cooldown: 'general' },
  { name: '200 body holding only an error', faults: [{ kind: 'error-body' }], status: 502, error: /^Provider returned error$/, cooldown: 'general' },
  { name: 'stall before the first token', faults: [{ kind: 'stall', afterChunks: 0 }], status: 504,
    error: /no data within 0.3 s \(FIRST_TOKEN_TIMEOUT_SECONDS\)/, json: /did not answer within 0.3 s \(REQUEST_TIMEOUT_SECONDS\)/, cooldown: 'general' },
  { name: 'no answer at all before the first-token timeout', faults: [{ kind: 'delay', ms: 5_000 }], status: 504,
    error: /no data within 0.3 s/, json: /did not answer within 0.3 s/, cooldown: 'general' },
];

for (const fault of DIRECT) {
  describe(`fault without fallback (FREE_MODE=false): ${fault.name}`, () => {
    for (const mode of MODES) {
      test(mode, async (t) => {
        const proxy = await startProxy(t, { env: { FREE_MODE: 'false', ...STALLS } });
        const timersBefore = activeTimers();
        proxy.fake.script(MODEL, ...fault.faults);
        const seen = await ask(proxy, mode, 'direct');
        assert.equal(seen.status, fault.status, JSON.stringify(seen));
        const viaNonStreamUpstream = mode === 'openai-json';
        assert.match(seen.error ?? '', (viaNonStreamUpstream ? fault.json : undefined) ?? fault.error);
        assert.equal(proxy.fake.chatRequests().length, 1);
        assert.deepEqual(proxy.store.activeCooldowns(Date.now()).map((failure) => [failure.model, failure.kind]), [[MODEL, fault.cooldown]]);
        await assertSettled(proxy, timersBefore);
      });
    }
  });
}

describe('fault: every free model fails', () => {
  for (const mode of MODES) {
    test(mode, async (t) => {
      const proxy = await startProxy(t);
      const timersBefore = activeTimers();
      const models = proxy.app.router.visibleModels().filter((model) => model.capabilities.completion).map((model) => model.id);
      for (const model of models) proxy.fake.script(model, { kind: 'http', status: 500 });
      // Different models failing the same way is OpenRouter's outage, not theirs: the walk stops
      // early, answers 503 with Retry-After, and cools nobody down (see tests/routing/outage-e2e.test.ts).
      const seen = await ask(proxy, mode, 'all fail');
      assert.equal(seen.status, 503);
      assert.match(seen.error ?? '', /^OpenRouter appears to be down: 3 different models failed the same way \(5xx or network; last: Internal Server Error\)/);
      assert.ok(Number(seen.retryAfter) > 0);
      assert.equal(proxy.fake.chatRequests().length, 3);
      assert.deepEqual(proxy.store.activeCooldowns(Date.now()), []);
      await assertSettled(proxy, timersBefore);
    });
  }
});

/**
 * A loopback URL where nothing listens: a port below Linux's ephemeral range (32768 and up), checked
 * free by binding it. A freed ephemeral port could be handed straight back to the offline OpenRouter
 * the harness starts next; one outside that range never is.
 */
async function closedPortUrl(): Promise<string> {
  for (let port = 20_000 + Math.floor(Math.random() * 10_000), tries = 0; tries < 100; port++, tries++) {
    const server = createServer();
    const bound = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (!bound) continue;
    await new Promise((resolve) => server.close(resolve));
    return `http://127.0.0.1:${port}/api/v1`;
  }
  throw new Error('no free port below the ephemeral range');
}

// The catalog comes from a fresh cache file, so the proxy starts and routes without reaching OpenRouter.
const UNREACHABLE: Array<{ name: string; url: () => Promise<string>; error: RegExp }> = [
  { name: 'connection refused', url: closedPortUrl, error: /^cannot reach OpenRouter at http:\/\/127\.0\.0\.1:\d+\/api\/v1: ECONNREFUSED$/ },
  { name: 'DNS failure', url: async () => 'http://openrouter-proxy-test.invalid/api/v1',
    error: /^cannot reach OpenRouter at http:\/\/openrouter-proxy-test\.invalid\/api\/v1: (ENOTFOUND|EAI_AGAIN)$/ },
];

for (const target of UNREACHABLE) {
  describe(`fault: ${target.name}`, () => {
    for (const mode of MODES) {
      test(mode, async (t) => {
        const dir = mkdtempSync(join(tmpdir(), 'proxy-faults-'));
        t.after(() => rmSync(dir, { recursive: true, force: true }));
        writeCatalogCache(dir);
        const proxy = await startProxy(t, { dir, env: { OPENROUTER_BASE_URL: await target.url(), FIRST_TOKEN_TIMEOUT_SECONDS: '5' } });
        const timersBefore = activeTimers();
        const seen = await ask(proxy, mode, 'unreachable');
        assert.equal(seen.status, 502, JSON.stringify(seen));
        assert.match(seen.error ?? '', target.error);
        // Every model lives on the same host: no point trying the next, and no cooldown that would
        // outlast the outage.
        assert.equal(proxy.logs.filter((line) => JSON.parse(line).msg === 'attempt').length, 1);
        assert.deepEqual(proxy.store.activeCooldowns(Date.now()), []);
        await assertSettled(proxy, timersBefore);
      });
    }
  });
}
