// The other agent CLIs our users test (opencode, pi, Qwen Code, Cline, Copilot CLI, Continue's cn,
// Kilo), each on every API it offers, against the proxy and the offline OpenRouter: a real tool round
// trip. The fake calls the CLI's shell tool through the [tool=NAME][args=JSON] directives, the CLI runs
// the command, sends its output back, and prints the fake's "Tool result: ..." answer. Settings per
// CLI are in agent-cli-setups.ts. Without `npm install --prefix tests/agents` these skip (CI=true: fail).
// Each CLI is a separate process: every proxy here has a socket.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startProxy } from '../helpers/harness.ts';
import { AGENT_SETUPS, type AgentSetup } from './agent-cli-setups.ts';
import { describeRun, requireCli, runCli, throwawayHome } from './cli-runner.ts';

const RUN_TIMEOUT_MS = 120_000;

// The command's output exists only if a real shell ran it: the fake cannot compute the sum.
function shellProof(setup: AgentSetup): { prompt: string; output: string } {
  const label = `${setup.cli}-${setup.api}`.toUpperCase();
  const { tool, args } = setup.shell(`echo ${label}-$((1000+337))`);
  // \u0020 instead of spaces: the fake parses the JSON (a real space again), and no CLI splits or quotes it.
  const json = JSON.stringify(args).replaceAll(' ', '\\u0020');
  return { prompt: `Run the command. [tool=${tool}][args=${json}]`, output: `${label}-1337` };
}

function lastMessage(body: Record<string, unknown>): { role?: string; content?: unknown } {
  const messages = body.messages as Array<{ role?: string; content?: unknown }>;
  return messages[messages.length - 1] ?? {};
}

for (const setup of AGENT_SETUPS) {
  test(`${setup.cli} (${setup.via}) runs its shell tool through the ${setup.api} API`, { timeout: RUN_TIMEOUT_MS + 30_000 }, async (t) => {
    const path = requireCli(t, setup.cli);
    if (path === undefined) return;
    const proxy = await startProxy(t, { socket: true });
    const { home, cwd } = throwawayHome(t, setup.cli);
    const { prompt, output } = shellProof(setup);
    const { args, env } = setup.prepare(home, proxy.url, prompt);
    const run = await runCli(path, args, { home, cwd, env, timeoutMs: RUN_TIMEOUT_MS });
    assert.equal(run.code, 0, describeRun(run));
    assert.match(run.stdout, /Tool result: /, describeRun(run));
    // The round trip: the command's real output went back upstream as the tool result.
    const upstream = proxy.fake.chatRequests();
    const result = lastMessage(upstream[upstream.length - 1] ?? {});
    assert.equal(result.role, 'tool', describeRun(run));
    assert.ok(JSON.stringify(result.content).includes(output), `${JSON.stringify(result.content)}\n${describeRun(run)}`);
    assert.equal(upstream.length, setup.upstream, describeRun(run));
    assert.deepEqual([...new Set(proxy.app.requests.recent().map((row) => row.api))], [setup.api]);
  });
}

// pi's Responses client keeps one "current item": interleaved parallel calls gave call 0's arguments
// to call 1 (see tests/e2e/responses-parallel-calls.test.ts for the event order on the wire).
test('pi on the Responses API runs two parallel calls, each with its own arguments', { timeout: RUN_TIMEOUT_MS + 30_000 }, async (t) => {
  const setup = AGENT_SETUPS.find((candidate) => candidate.cli === 'pi' && candidate.api === 'responses') as AgentSetup;
  const path = requireCli(t, 'pi');
  if (path === undefined) return;
  const proxy = await startProxy(t, { socket: true });
  const { home, cwd } = throwawayHome(t, 'pi');
  const prompt = 'Run both. [tool=bash][args={"command":"echo A-$((1+1))"}] [tool=bash][args={"command":"echo B-$((2+2))"}]';
  const { args, env } = setup.prepare(home, proxy.url, prompt);
  const run = await runCli(path, args, { home, cwd, env, timeoutMs: RUN_TIMEOUT_MS });
  assert.equal(run.code, 0, describeRun(run));
  const upstream = proxy.fake.chatRequests();
  assert.equal(upstream.length, 2, describeRun(run));
  const messages = (upstream[1]?.messages ?? []) as Array<{ role: string; tool_call_id?: string; content?: string; tool_calls?: Array<{ id: string; function: { arguments: string } }> }>;
  const calls = messages.find((message) => message.tool_calls !== undefined)?.tool_calls ?? [];
  const results = new Map(messages.filter((message) => message.role === 'tool').map((message) => [message.tool_call_id, message.content]));
  assert.deepEqual(calls.map((call) => [call.function.arguments, results.get(call.id)]), [
    ['{"command":"echo A-$((1+1))"}', 'A-2\n'],
    ['{"command":"echo B-$((2+2))"}', 'B-4\n'],
  ]);
});

// Cline's Ollama provider with --thinking: `think` on /api/chat, the model's thinking streamed back and shown.
test('cline --thinking on the Ollama API: thinking streams back, and the tool round trip completes', { timeout: RUN_TIMEOUT_MS + 30_000 }, async (t) => {
  const setup = AGENT_SETUPS.find((candidate) => candidate.cli === 'cline') as AgentSetup;
  const path = requireCli(t, 'cline');
  if (path === undefined) return;
  const proxy = await startProxy(t, { socket: true });
  const { home, cwd } = throwawayHome(t, 'cline');
  const { prompt, output } = shellProof(setup);
  const { args, env } = setup.prepare(home, proxy.url, prompt, 'gpt-oss:20b');
  const run = await runCli(path, ['--thinking', 'low', ...args], { home, cwd, env, timeoutMs: RUN_TIMEOUT_MS });
  assert.equal(run.code, 0, describeRun(run));
  // Without its colour codes, Cline shows the fake's reasoning ("Thinking about: ...") as [thinking].
  assert.match(run.stdout.replace(/\x1b\[[0-9;]*m/g, ''), /\[thinking\] Thinking about: Run the command/, describeRun(run));
  const upstream = proxy.fake.chatRequests();
  assert.deepEqual(upstream.map((body) => [body.model, body.reasoning]), [['openai/gpt-oss-20b:free', { enabled: true }], ['openai/gpt-oss-20b:free', { enabled: true }]]);
  assert.ok(JSON.stringify(lastMessage(upstream[1] ?? {}).content).includes(output), describeRun(run));
});
