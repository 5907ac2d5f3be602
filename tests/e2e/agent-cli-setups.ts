// How each agent CLI is pointed at the proxy: headless, telemetry and update checks off, everything
// written into its throwaway HOME. One entry per CLI and API it offers; the README's "Using it with…"
// entries give the same settings. Codex and Claude Code have their own tests (agent-clis.test.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CliName } from './cli-runner.ts';

/** A client API, by its name in the request log (src/dialects/client-apis.ts). */
type ClientApi = 'ollama' | 'openai' | 'anthropic' | 'responses';

export const MODEL = 'qwen3-coder:free';

export interface AgentSetup {
  cli: CliName;
  api: ClientApi;
  /** What the CLI itself calls that API (its provider or setting), for the test name. */
  via: string;
  /** Upstream chat requests a tool round trip costs: the call, the answer to its result, and side requests. */
  upstream: number;
  /** The CLI's shell tool, and its arguments for `command`. */
  shell(command: string): { tool: string; args: Record<string, unknown> };
  /** Writes the CLI's settings into `home`; the arguments and environment of a run with `prompt` (and `model`). */
  prepare(home: string, proxyUrl: string, prompt: string, model?: string): { args: string[]; env: Record<string, string> };
}

function write(home: string, path: string, text: string): string {
  const file = join(home, path);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
  return file;
}

// opencode and Kilo (an opencode fork) quote any argument with a space in it before it becomes the
// prompt, which would hide the directives' JSON; one word per argument keeps the prompt as written.
function words(prompt: string): string[] {
  return prompt.split(' ');
}

/** opencode's config with one provider, `proxy`, built on the AI SDK package for the API. */
function opencodeConfig(proxyUrl: string, npm: string): string {
  return JSON.stringify({
    autoupdate: false,
    share: 'disabled',
    permission: { bash: 'allow', edit: 'allow', webfetch: 'deny' },
    provider: { proxy: { npm, name: 'ollama-openrouter-proxy', options: { baseURL: `${proxyUrl}/v1`, apiKey: 'unused' }, models: { [MODEL]: { name: MODEL, tool_call: true } } } },
  });
}

const bashTool = (command: string) => ({ tool: 'bash', args: { command, description: 'print a number' } });

const opencode = (api: ClientApi, npm: string, upstream: number): AgentSetup => ({
  cli: 'opencode', api, via: npm, upstream, shell: bashTool,
  prepare: (_home, proxyUrl, prompt) => ({
    args: ['run', '-m', `proxy/${MODEL}`, ...words(prompt)],
    env: {
      OPENCODE_CONFIG_CONTENT: opencodeConfig(proxyUrl, npm),
      OPENCODE_DISABLE_AUTOUPDATE: '1', OPENCODE_DISABLE_MODELS_FETCH: '1', OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
      OPENCODE_DISABLE_SHARE: '1', OPENCODE_DISABLE_DEFAULT_PLUGINS: '1',
    },
  }),
});

const kilo: AgentSetup = {
  cli: 'kilo', api: 'openai', via: '@ai-sdk/openai-compatible', upstream: 2, shell: bashTool,
  prepare: (_home, proxyUrl, prompt) => ({
    args: ['run', '-m', `proxy/${MODEL}`, ...words(prompt)],
    env: {
      KILO_CONFIG_CONTENT: opencodeConfig(proxyUrl, '@ai-sdk/openai-compatible'),
      KILO_DISABLE_AUTOUPDATE: '1', KILO_DISABLE_MODELS_FETCH: '1', KILO_DISABLE_LSP_DOWNLOAD: '1', KILO_DISABLE_SHARE: '1',
      KILO_DISABLE_DEFAULT_PLUGINS: '1', KILO_TELEMETRY_LEVEL: 'off', KILO_NO_DAEMON: '1', KILO_DISABLE_CODEBASE_INDEXING: '1',
      KILO_DISABLE_SESSION_INGEST: '1', KILO_DISABLE_PRESENCE: '1',
    },
  }),
};

const PI_APIS: Record<string, { api: ClientApi; path: string }> = {
  'openai-completions': { api: 'openai', path: '/v1' },
  'openai-responses': { api: 'responses', path: '/v1' },
  'anthropic-messages': { api: 'anthropic', path: '' },
};

const pi = (piApi: keyof typeof PI_APIS): AgentSetup => ({
  cli: 'pi', api: PI_APIS[piApi]?.api ?? 'openai', via: piApi, upstream: 2,
  shell: (command) => ({ tool: 'bash', args: { command } }),
  prepare: (home, proxyUrl, prompt) => {
    const provider = { baseUrl: `${proxyUrl}${PI_APIS[piApi]?.path}`, api: piApi, apiKey: 'unused', compat: { supportsDeveloperRole: false }, models: [{ id: MODEL }] };
    write(home, '.pi/agent/models.json', JSON.stringify({ providers: { proxy: provider } }));
    return { args: ['--provider', 'proxy', '--model', MODEL, '-p', prompt], env: { PI_OFFLINE: '1', PI_TELEMETRY: '0', PI_SKIP_VERSION_CHECK: '1' } };
  },
});

const qwen = (authType: 'openai' | 'anthropic'): AgentSetup => ({
  cli: 'qwen', api: authType, via: `--auth-type ${authType}`, upstream: 2,
  shell: (command) => ({ tool: 'run_shell_command', args: { command } }),
  prepare: (home, proxyUrl, prompt) => {
    write(home, '.qwen/settings.json', JSON.stringify({ privacy: { usageStatisticsEnabled: false }, telemetry: { enabled: false }, general: { disableAutoUpdate: true, disableUpdateNag: true } }));
    const env: Record<string, string> = authType === 'openai'
      ? { OPENAI_BASE_URL: `${proxyUrl}/v1`, OPENAI_API_KEY: 'unused', OPENAI_MODEL: MODEL }
      : { ANTHROPIC_BASE_URL: proxyUrl, ANTHROPIC_API_KEY: 'unused', ANTHROPIC_MODEL: MODEL };
    return { args: ['--auth-type', authType, '--yolo', '-p', prompt], env };
  },
});

const cline: AgentSetup = {
  cli: 'cline', api: 'ollama', via: 'ollama provider', upstream: 2,
  shell: (command) => ({ tool: 'run_commands', args: { commands: [command] } }),
  prepare: (home, proxyUrl, prompt, model = MODEL) => {
    // What `cline auth -p ollama -k unused -m MODEL` writes, plus the base URL it only takes for OpenAI providers.
    const settings = { provider: 'ollama', apiKey: 'unused', model, baseUrl: proxyUrl };
    write(home, '.cline/data/settings/providers.json', JSON.stringify({ version: 1, lastUsedProvider: 'ollama', modes: {}, providers: { ollama: { settings, updatedAt: '2026-01-01T00:00:00.000Z', tokenSource: 'manual' } } }));
    // `local` runs the session in this process: no background hub daemon is left behind.
    return { args: [prompt], env: { CLINE_SESSION_BACKEND_MODE: 'local', CLINE_NO_AUTO_UPDATE: '1' } };
  },
};

const copilot = (api: ClientApi, type: 'openai' | 'anthropic', wire: 'completions' | 'responses'): AgentSetup => ({
  cli: 'copilot', api, via: `COPILOT_PROVIDER_TYPE=${type} COPILOT_PROVIDER_WIRE_API=${wire}`, upstream: 2, shell: bashTool,
  prepare: (_home, proxyUrl, prompt) => ({
    args: ['--allow-all-tools', '--no-auto-update', '-p', prompt],
    env: {
      // Offline mode: no GitHub login, telemetry, web tools or updates; it requires a BYOK provider.
      COPILOT_OFFLINE: 'true', COPILOT_AUTO_UPDATE: 'false', COPILOT_MODEL: MODEL,
      COPILOT_PROVIDER_BASE_URL: type === 'anthropic' ? proxyUrl : `${proxyUrl}/v1`, COPILOT_PROVIDER_TYPE: type,
      COPILOT_PROVIDER_WIRE_API: wire, COPILOT_PROVIDER_API_KEY: 'unused',
    },
  }),
});

const continueCli = (provider: 'ollama' | 'anthropic'): AgentSetup => ({
  // Continue's `ollama` provider talks to Ollama's OpenAI-compatible /v1/chat/completions.
  cli: 'cn', api: provider === 'ollama' ? 'openai' : 'anthropic', via: `provider: ${provider}`, upstream: 2,
  shell: (command) => ({ tool: 'Bash', args: { command } }),
  prepare: (home, proxyUrl, prompt) => {
    const apiBase = provider === 'ollama' ? proxyUrl : `${proxyUrl}/v1/`;
    const config = ['name: proxy', 'version: 0.0.1', 'schema: v1', 'models:', `  - name: ${MODEL}`, `    provider: ${provider}`, `    apiBase: ${apiBase}`,
      '    apiKey: unused', `    model: ${MODEL}`, '    roles: [chat, edit, apply]', '    capabilities: [tool_use]', ''].join('\n');
    const path = write(home, '.continue/config.yaml', config);
    return { args: ['--config', path, '--auto', '-p', prompt], env: { CONTINUE_CLI_ENABLE_TELEMETRY: '0', CONTINUE_METRICS_ENABLED: '0' } };
  },
});

/** Every CLI on every API it offers (15 runs). opencode also asks for a title, one more request. */
export const AGENT_SETUPS: AgentSetup[] = [
  opencode('openai', '@ai-sdk/openai-compatible', 3), opencode('responses', '@ai-sdk/openai', 3), opencode('anthropic', '@ai-sdk/anthropic', 3),
  pi('openai-completions'), pi('openai-responses'), pi('anthropic-messages'),
  qwen('openai'), qwen('anthropic'),
  cline,
  copilot('openai', 'openai', 'completions'), copilot('responses', 'openai', 'responses'), copilot('anthropic', 'anthropic', 'completions'),
  continueCli('ollama'), continueCli('anthropic'),
  kilo,
];
