import { statSync } from 'node:fs';
import { resolve } from 'node:path';

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** Everything the server reads from its environment, validated once at startup. */
export interface Config {
  apiKey: string;
  baseUrl: string;
  port: number;
  host: string;
  logLevel: LogLevel;
  proxyApiKey: string | undefined;
  corsOrigins: string[];
  freeMode: boolean;
  toolUseOnly: boolean;
  modelFilterPath: string;
  modelAliasesPath: string;
  freeModelsCachePath: string;
  cacheTtlMs: number;
  failureDbPath: string;
  failureCooldownMs: number;
  rateLimitCooldownMs: number;
  firstTokenTimeoutMs: number;
  streamIdleTimeoutMs: number;
  requestTimeoutMs: number;
  maxBodyBytes: number;
  shutdownGraceMs: number;
  /** RECORD_DIR: write every upstream exchange there (see src/recording/). */
  recordDir: string | undefined;
  /** REPLAY_DIR: answer from the recordings there instead of the network. */
  replayDir: string | undefined;
  replayTiming: 'fast' | 'realtime';
  /** From RECORD_DIR and REPLAY_DIR; both naming the same folder is record-if-missing. */
  recordingMode: 'off' | 'record' | 'replay' | 'record-if-missing';
  /** RECORDING_MAX_AGE_DAYS in ms (record-if-missing only): an older recording counts as missing. */
  recordingMaxAgeMs: number | undefined;
  /** MAX_ATTEMPTS: the most models one request tries. */
  maxAttempts: number;
  /** MAX_WAIT_SECONDS in ms: how long a request may wait for a limit that lifts soon; 0 turns waiting off. */
  maxWaitMs: number;
  /** LOCAL_TITLES: answer agents' session-title requests locally, with no upstream request (default: on in free mode). */
  localTitles: boolean;
  /** Warnings found while loading (deprecated variables); the caller logs them once a logger exists. */
  warnings: string[];
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS: readonly LogLevel[] = ['DEBUG', 'INFO', 'WARN', 'ERROR'];
const TRUE_WORDS = ['true', '1', 'yes'];
const FALSE_WORDS = ['false', '0', 'no'];

/** Reads, trims, defaults and validates every variable; throws ConfigError naming the bad one. */
export function loadConfig(env: Env, options: { requireApiKey?: boolean; cwd?: string } = {}): Config {
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };
  const cwd = options.cwd ?? process.cwd();
  const warnings: string[] = [];

  const recordDir = read('RECORD_DIR');
  const replayDir = read('REPLAY_DIR');
  const recordingMode = recordingModeOf(recordDir, replayDir, cwd);
  if (recordingMode === 'replay' && !isDirectory(resolve(cwd, replayDir ?? ''))) throw new ConfigError(`REPLAY_DIR=${JSON.stringify(replayDir)} is invalid: expected an existing folder of recordings`);
  const replayTiming = (read('REPLAY_TIMING') ?? 'fast').toLowerCase();
  if (replayTiming !== 'fast' && replayTiming !== 'realtime') throw new ConfigError(`REPLAY_TIMING=${JSON.stringify(read('REPLAY_TIMING'))} is invalid: expected fast or realtime`);

  let apiKey = read('OPENROUTER_API_KEY');
  if (apiKey === undefined && read('OPENAI_API_KEY') !== undefined) {
    apiKey = read('OPENAI_API_KEY');
    warnings.push('OPENAI_API_KEY is deprecated for this proxy; set OPENROUTER_API_KEY instead');
  }
  // A replay never reaches the network, so it needs no key (record-if-missing does, for what is missing).
  if (apiKey === undefined && options.requireApiKey !== false && recordingMode !== 'replay') {
    throw new ConfigError(
      'OPENROUTER_API_KEY is not set. Get a key at https://openrouter.ai/settings/keys, or run `npm run demo` to try the proxy offline.',
    );
  }

  const number = (name: string, fallback: number, min: number, max: number, integer = false): number => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
      const kind = integer ? 'an integer' : 'a number';
      throw new ConfigError(`${name}=${JSON.stringify(raw)} is invalid: expected ${kind} from ${min} to ${max}`);
    }
    return value;
  };
  const boolean = (name: string, fallback: boolean): boolean => {
    const raw = read(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (TRUE_WORDS.includes(raw)) return true;
    if (FALSE_WORDS.includes(raw)) return false;
    throw new ConfigError(`${name}=${JSON.stringify(raw)} is invalid: expected one of true/false/1/0/yes/no`);
  };
  const path = (name: string, fallback: string): string => resolve(cwd, read(name) ?? fallback);

  const rawLevel = (read('LOG_LEVEL') ?? 'INFO').toUpperCase();
  if (!(LOG_LEVELS as readonly string[]).includes(rawLevel)) {
    throw new ConfigError(`LOG_LEVEL=${JSON.stringify(read('LOG_LEVEL'))} is invalid: expected one of ${LOG_LEVELS.join(', ')}`);
  }

  const baseUrl = (read('OPENROUTER_BASE_URL') ?? 'https://openrouter.ai/api/v1').replace(/\/+$/, '');
  let parsedBase: URL;
  try {
    parsedBase = new URL(baseUrl);
  } catch {
    throw new ConfigError(`OPENROUTER_BASE_URL=${JSON.stringify(baseUrl)} is invalid: expected an http(s) URL`);
  }
  if (parsedBase.protocol !== 'http:' && parsedBase.protocol !== 'https:') {
    throw new ConfigError(`OPENROUTER_BASE_URL=${JSON.stringify(baseUrl)} is invalid: expected an http(s) URL`);
  }

  const minutes = 60_000;
  const maxAgeDays = number('RECORDING_MAX_AGE_DAYS', Number.NaN, 0, 36_500);
  if (!Number.isNaN(maxAgeDays) && recordingMode !== 'record-if-missing') {
    throw new ConfigError('RECORDING_MAX_AGE_DAYS is set, but recordings only expire in record-if-missing mode (RECORD_DIR and REPLAY_DIR naming the same folder)');
  }
  const freeMode = boolean('FREE_MODE', true);
  return {
    apiKey: apiKey ?? '',
    baseUrl,
    port: number('PORT', 11434, 0, 65535, true),
    host: read('HOST') ?? '127.0.0.1',
    logLevel: rawLevel as LogLevel,
    proxyApiKey: read('PROXY_API_KEY'),
    corsOrigins: (read('CORS_ORIGINS') ?? read('OLLAMA_ORIGINS') ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter((origin) => origin !== ''),
    freeMode,
    toolUseOnly: boolean('TOOL_USE_ONLY', false),
    modelFilterPath: path('MODEL_FILTER_PATH', 'models-filter/filter'),
    modelAliasesPath: path('MODEL_ALIASES_PATH', 'models-filter/aliases'),
    freeModelsCachePath: path('FREE_MODELS_CACHE', 'free-models'),
    cacheTtlMs: number('CACHE_TTL_HOURS', 24, 0, 24 * 365) * 60 * minutes,
    failureDbPath: read('FAILURE_DB') === ':memory:' ? ':memory:' : path('FAILURE_DB', 'failures.db'),
    failureCooldownMs: number('FAILURE_COOLDOWN_MINUTES', 5, 0, 24 * 60) * minutes,
    rateLimitCooldownMs: number('RATELIMIT_COOLDOWN_MINUTES', 1, 0, 24 * 60) * minutes,
    firstTokenTimeoutMs: number('FIRST_TOKEN_TIMEOUT_SECONDS', 60, 0.001, 3600) * 1000,
    streamIdleTimeoutMs: number('STREAM_IDLE_TIMEOUT_SECONDS', 120, 0.001, 3600) * 1000,
    requestTimeoutMs: number('REQUEST_TIMEOUT_SECONDS', 600, 0.001, 24 * 3600) * 1000,
    maxBodyBytes: number('MAX_BODY_MB', 50, 0.001, 1024) * 1024 * 1024,
    shutdownGraceMs: number('SHUTDOWN_GRACE_SECONDS', 10, 0, 3600) * 1000,
    recordDir: recordDir === undefined ? undefined : resolve(cwd, recordDir),
    replayDir: replayDir === undefined ? undefined : resolve(cwd, replayDir),
    replayTiming,
    recordingMode,
    recordingMaxAgeMs: Number.isNaN(maxAgeDays) ? undefined : maxAgeDays * 24 * 60 * minutes,
    maxAttempts: number('MAX_ATTEMPTS', 5, 1, 100, true),
    maxWaitMs: number('MAX_WAIT_SECONDS', 30, 0, 3600) * 1000,
    localTitles: boolean('LOCAL_TITLES', freeMode),
    warnings,
  };
}

// Both set to one folder is record-if-missing; to two folders, a mistake worth stopping for.
function recordingModeOf(recordDir: string | undefined, replayDir: string | undefined, cwd: string): Config['recordingMode'] {
  if (recordDir === undefined) return replayDir === undefined ? 'off' : 'replay';
  if (replayDir === undefined) return 'record';
  if (resolve(cwd, recordDir) === resolve(cwd, replayDir)) return 'record-if-missing';
  throw new ConfigError('RECORD_DIR and REPLAY_DIR name different folders: record, replay, or set both to the same folder to replay what is recorded and record what is missing');
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
