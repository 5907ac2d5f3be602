// A hostile OpenRouter: malformed chunks, endless and huge bodies, silence, keep-alives and nothing
// else, resets, truncations and an echoed key, through all four client APIs. Misbehaviour: an
// internal error, an answer not in its API's shape, a malformed answer that does not say so (or
// reads as a proxy bug), the key in any answer, or an upstream connection the proxy did not let go.
import { APIS, ask, type Api, type Ending } from '../../tests/helpers/four-apis.ts';
import { contentChunk, endless, json, rawStream, sse, silent, type Act, type HostileUpstream } from '../../tests/helpers/hostile-upstream.ts';
import type { Counter } from './tally.ts';

const MODEL = 'qwen3-coder:free';
const LET_GO_MS = 5_000;

interface Case {
  name: string;
  act: Act;
  stream: boolean;
  /** What must be true of the ending; a string says what is wrong. */
  check(ending: Ending): string | undefined;
}

const MALFORMED = ['null', '[1]', '{"choices":5}', '{"choices":[null]}', '{"choices":[{"delta":{"tool_calls":[null]}}]}', '{"choices":[{"delta":{"content":{}}}]}', '{"usage":"x","choices":[]}', '{"choices":[{"delta":'];

const endsInError = (pattern: RegExp) => (ending: Ending): string | undefined => {
  if (ending.ended !== 'error') return `ended ${ending.ended}, not with an error`;
  if (!pattern.test(ending.error ?? '')) return `error "${ending.error}" does not match ${pattern}`;
  return undefined;
};
// The fault may make the proxy fall back to the next model (a whole answer) or end in an error; both are fine.
const anyWellFormedEnd = (): string | undefined => undefined;

function cases(key: string): Case[] {
  const echo: Act = (exchange) => json(401, { error: { code: 401, message: `bad key: ${String(exchange.req.headers.authorization)}` } })(exchange);
  return [
    ...MALFORMED.map((data) => ({ name: `malformed after content: ${data}`, act: sse([contentChunk('Hello'), data], 'hang'), stream: true, check: endsInError(/malformed/) })),
    ...MALFORMED.map((data) => ({ name: `malformed first: ${data}`, act: sse([data], 'hang'), stream: false, check: anyWellFormedEnd })),
    { name: 'endless non-streamed body', act: endless('application/json', ' '), stream: false, check: anyWellFormedEnd },
    { name: 'no headers at all', act: silent, stream: false, check: anyWellFormedEnd },
    { name: 'keep-alives only after content', act: sse([contentChunk('Hello')], 'keep-alives'), stream: true, check: endsInError(/keep-alive/) },
    { name: 'an SSE line of 17 MB', act: rawStream(`data: ${contentChunk('Hello')}\n\ndata: ${'x'.repeat(17 * 1024 * 1024)}`), stream: true, check: endsInError(/longer than/) },
    { name: 'reset after content', act: sse([contentChunk('Hello')], 'reset'), stream: true, check: endsInError(/broke mid-answer/) },
    { name: 'ends without [DONE] after content', act: sse([contentChunk('Hello')], 'end'), stream: true, check: endsInError(/closed the stream before it finished/) },
    { name: 'echoes the key in an error', act: echo, stream: false, check: (ending: Ending) => (ending.error?.includes('[redacted]') ? undefined : `error "${ending.error}" does not show the redaction`) },
  ].map((entry) => ({ ...entry, check: (ending: Ending) => (JSON.stringify(ending).includes(key) ? 'the OpenRouter key is in the answer' : entry.check(ending)) }));
}

// Twelve endless bodies at once crashed the process before bodies were capped ("heap out of memory").
const BURST = 12;

/** Runs every case through every API, round after round, until `deadline`; first a burst of endless bodies. */
export async function hostileUpstream(url: string, hostile: HostileUpstream, deadline: number, counter: Counter, key: string): Promise<void> {
  const all = cases(key);
  hostile.script('chat', ...Array.from({ length: BURST }, () => endless('application/json', '{"choices":[{"message":{"content":"' + 'x'.repeat(1000))));
  await Promise.all(Array.from({ length: BURST }, (_, i) => counter.attempt(`endless body ${i + 1} of ${BURST} at once`, async () => {
    const ending = await ask(url, 'openai', { model: MODEL, stream: false, timeoutMs: 60_000 });
    if (ending.status === 500) throw new Error(`500: ${ending.error}`);
  })));
  await hostile.allClosed();
  while (performance.now() < deadline) {
    for (const entry of all) {
      for (const api of APIS) {
        if (performance.now() >= deadline) return;
        await counter.attempt(`${api} ${entry.stream ? 'stream' : 'whole'}: ${entry.name}`, () => once(url, hostile, api, entry));
      }
    }
  }
}

async function once(url: string, hostile: HostileUpstream, api: Api, entry: Case): Promise<void> {
  hostile.script('chat', entry.act);
  const ending = await ask(url, api, { model: MODEL, stream: entry.stream, timeoutMs: 30_000 });
  if (ending.status === 500) throw new Error(`500: ${ending.error}`);
  if (/Cannot read|is not a function|internal server error/.test(ending.error ?? '')) throw new Error(`reads as a proxy bug: ${ending.error}`);
  const wrong = entry.check(ending);
  if (wrong !== undefined) throw new Error(wrong);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`the upstream connection was still open ${LET_GO_MS} ms later`)), LET_GO_MS)));
  try {
    await Promise.race([hostile.allClosed(), late]);
  } finally {
    clearTimeout(timer);
  }
}
