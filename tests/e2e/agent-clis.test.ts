// The real agent CLIs against the proxy and the offline OpenRouter: Claude Code (`claude -p`, Anthropic
// Messages) and Codex (`codex exec --oss` and a config.toml provider, OpenAI Responses). Each run must
// exit 0 and print the offline OpenRouter's answer: a plain answer, an answer from the fallback when
// the requested model fails, and a tool loop the CLI runs for real (the fake calls a shell tool through
// its [tool=NAME] and [args=JSON] directives, the CLI runs the command, the fake answers from its output).
// Install the CLIs with `npm install --prefix tests/agents`; without them these tests skip (and fail under CI=true).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { startProxy, type Proxy } from '../helpers/harness.ts';
import { claudeCodeEnv, describeRun, requireCli, runCli, throwawayHome, type CliRun } from './cli-runner.ts';

const RUN_TIMEOUT_MS = 90_000;
const TEST_TIMEOUT = { timeout: 3 * RUN_TIMEOUT_MS };

// In non-free mode, aliases are how Claude Code's fixed claude-* names are served.
const ALIASES = 'claude-* = qwen3-coder:free, gemini-2.0-flash-exp:free\n';

function modelsAsked(proxy: Proxy): string[] {
  return proxy.fake.chatRequests().map((body) => String(body.model));
}

// A shell command whose output only a real shell produces: the fake cannot compute the sum.
function shellProof(label: string): { command: string; output: string } {
  return { command: `echo ${label}-$((1000+337))`, output: `${label}-1337` };
}

async function claude(t: TestContext, path: string, proxy: Proxy, prompt: string, args: string[]): Promise<CliRun> {
  const { home, cwd } = throwawayHome(t, 'claude');
  return runCli(path, ['-p', prompt, ...args], {
    home,
    cwd,
    timeoutMs: RUN_TIMEOUT_MS,
    env: claudeCodeEnv(proxy.url),
  });
}

async function startClaudeProxy(t: TestContext): Promise<Proxy> {
  // Every test here runs a real CLI: a separate process, which needs a socket.
  const proxy = await startProxy(t, { env: { FREE_MODE: 'false' }, socket: true });
  writeFileSync(join(proxy.dir, 'aliases'), ALIASES);
  return proxy;
}

test('Claude Code: claude -p prints the answer of the model its claude-* name is aliased to', TEST_TIMEOUT, async (t) => {
  const path = requireCli(t, 'claude');
  if (path === undefined) return;
  const proxy = await startClaudeProxy(t);
  // --tools "" sends no tools, so the fake answers in text ("Echo: " + the user's text).
  const run = await claude(t, path, proxy, 'Say hello PLAIN-MARKER', ['--tools', '']);
  assert.equal(run.code, 0, describeRun(run));
  assert.match(run.stdout, /Echo: [\s\S]*PLAIN-MARKER/, describeRun(run));
  assert.deepEqual(modelsAsked(proxy), ['qwen/qwen3-coder:free']);
});

test("Claude Code: when the alias's first model fails, the answer comes from the next one", TEST_TIMEOUT, async (t) => {
  const path = requireCli(t, 'claude');
  if (path === undefined) return;
  const proxy = await startClaudeProxy(t);
  proxy.fake.script('qwen/qwen3-coder:free', { kind: 'http', status: 503 });
  const run = await claude(t, path, proxy, 'Say hello FALLBACK-MARKER', ['--tools', '', '--model', 'claude-sonnet-4-5']);
  assert.equal(run.code, 0, describeRun(run));
  assert.match(run.stdout, /Echo: [\s\S]*FALLBACK-MARKER/, describeRun(run));
  assert.deepEqual(modelsAsked(proxy), ['qwen/qwen3-coder:free', 'google/gemini-2.0-flash-exp:free']);
});

test('Claude Code: a Bash tool loop runs for real and the answer quotes its output', TEST_TIMEOUT, async (t) => {
  const path = requireCli(t, 'claude');
  if (path === undefined) return;
  const proxy = await startClaudeProxy(t);
  const proof = shellProof('CLAUDE-TOOL');
  const prompt = `Run the command. [tool=Bash][args=${JSON.stringify({ command: proof.command, description: 'print a number' })}]`;
  const run = await claude(t, path, proxy, prompt, ['--tools', 'Bash', '--allowedTools', 'Bash']);
  assert.equal(run.code, 0, describeRun(run));
  assert.ok(run.stdout.includes(`Tool result: ${proof.output}`), describeRun(run));
  assert.equal(proxy.fake.chatRequests().length, 2, 'one request for the tool call, one with its result');
});

async function codex(t: TestContext, path: string, proxy: Proxy, prompt: string, args: string[], config?: string): Promise<CliRun> {
  const { home, cwd } = throwawayHome(t, 'codex');
  if (config !== undefined) writeFileSync(join(home, '.codex', 'config.toml'), config);
  return runCli(path, ['exec', '--skip-git-repo-check', ...args, prompt], {
    home,
    cwd,
    timeoutMs: RUN_TIMEOUT_MS,
    // --oss finds the server through CODEX_OSS_BASE_URL (or CODEX_OSS_PORT on localhost).
    env: { CODEX_HOME: join(home, '.codex'), CODEX_OSS_BASE_URL: `${proxy.url}/v1` },
  });
}

// Codex always sends its tools (exec_command first), so every run against the fake is a tool loop.
function codexPrompt(label: string): { prompt: string; output: string } {
  const proof = shellProof(label);
  return { prompt: `Run the command. [tool=exec_command][args=${JSON.stringify({ cmd: proof.command })}]`, output: proof.output };
}

function assertCodexAnswered(run: CliRun, output: string): void {
  assert.equal(run.code, 0, describeRun(run));
  assert.match(run.stdout, /Tool result: /, describeRun(run));
  assert.ok(run.stdout.includes(output), describeRun(run));
}

test('Codex: codex exec --oss checks the version, finds gpt-oss:20b and runs a tool loop through /v1/responses', TEST_TIMEOUT, async (t) => {
  const path = requireCli(t, 'codex');
  if (path === undefined) return;
  const proxy = await startProxy(t, { env: { FREE_MODE: 'false' }, socket: true });
  const { prompt, output } = codexPrompt('CODEX-OSS');
  const run = await codex(t, path, proxy, prompt, ['--oss', '--local-provider', 'ollama']);
  assertCodexAnswered(run, output);
  // The Ollama-library name resolves to the free OpenRouter model even with FREE_MODE=false.
  assert.deepEqual(modelsAsked(proxy), ['openai/gpt-oss-20b:free', 'openai/gpt-oss-20b:free']);
});

test('Codex: with -m qwen3-coder:30b it pulls the model, and when that fails the fallback answers', TEST_TIMEOUT, async (t) => {
  const path = requireCli(t, 'codex');
  if (path === undefined) return;
  const proxy = await startProxy(t, { socket: true });
  proxy.fake.script('qwen/qwen3-coder:free', { kind: 'http', status: 503 });
  const { prompt, output } = codexPrompt('CODEX-FALLBACK');
  const run = await codex(t, path, proxy, prompt, ['--oss', '--local-provider', 'ollama', '-m', 'qwen3-coder:30b']);
  assertCodexAnswered(run, output);
  const asked = modelsAsked(proxy);
  assert.equal(asked[0], 'qwen/qwen3-coder:free');
  assert.ok(asked.length >= 3 && asked.slice(1).every((model) => model !== 'qwen/qwen3-coder:free'), asked.join());
});

test('Codex: a config.toml provider with wire_api = "responses" runs the same tool loop', TEST_TIMEOUT, async (t) => {
  const path = requireCli(t, 'codex');
  if (path === undefined) return;
  const proxy = await startProxy(t, { env: { FREE_MODE: 'false' }, socket: true });
  const config = [
    'model = "gpt-oss:20b"',
    'model_provider = "proxy"',
    '',
    '[model_providers.proxy]',
    'name = "ollama-openrouter-proxy"',
    `base_url = "${proxy.url}/v1"`,
    'wire_api = "responses"',
    // Fail fast instead of reconnecting for minutes if the proxy answers with an error.
    'request_max_retries = 0',
    'stream_max_retries = 0',
    '',
  ].join('\n');
  const { prompt, output } = codexPrompt('CODEX-CONFIG');
  const run = await codex(t, path, proxy, prompt, [], config);
  assertCodexAnswered(run, output);
  assert.deepEqual(modelsAsked(proxy), ['openai/gpt-oss-20b:free', 'openai/gpt-oss-20b:free']);
});

test("Codex: on OpenRouter's daily free-model cap it stops at once and shows the proxy's message", TEST_TIMEOUT, async (t) => {
  const path = requireCli(t, 'codex');
  if (path === undefined) return;
  const proxy = await startProxy(t, { fake: { freeLimits: { perDay: 0 } }, socket: true });
  // Codex's default retries: a plain 429 would make it reconnect for as long as Retry-After says (until midnight).
  const config = ['model = "gpt-oss:20b"', 'model_provider = "proxy"', '', '[model_providers.proxy]', 'name = "ollama-openrouter-proxy"', `base_url = "${proxy.url}/v1"`, 'wire_api = "responses"', ''].join('\n');
  const run = await codex(t, path, proxy, 'Say hello', [], config);
  assert.equal(run.code, 1, describeRun(run));
  assert.match(run.stderr, /You.ve hit your usage limit\. OpenRouter's daily free-model request limit is used up/, describeRun(run));
  assert.doesNotMatch(run.stderr, /Reconnecting/, describeRun(run));
  assert.equal(proxy.fake.chatRequests().length, 1);
});

test('Codex: codex exec --oss in free mode still starts when the filter hides every gpt-oss model', TEST_TIMEOUT, async (t) => {
  const path = requireCli(t, 'codex');
  if (path === undefined) return;
  const proxy = await startProxy(t, { socket: true });
  writeFileSync(join(proxy.dir, 'filter'), 'qwen3-coder\n');
  const { prompt, output } = codexPrompt('CODEX-FILTERED');
  // gpt-oss:20b is not in /api/tags, so Codex pulls it first; the pull must succeed as chat would serve it.
  const run = await codex(t, path, proxy, prompt, ['--oss', '--local-provider', 'ollama']);
  assertCodexAnswered(run, output);
  assert.deepEqual(modelsAsked(proxy), ['qwen/qwen3-coder:free', 'qwen/qwen3-coder:free']);
});
