import type { Logger } from '../logger.ts';
import type { OpenRouterClient } from './client.ts';
import type { KeyInfo } from './types.ts';

export interface KeyPollerOptions {
  client: Pick<OpenRouterClient, 'keyInfo'>;
  logger: Logger;
  now: () => number;
  /** Default: hourly. */
  intervalMs?: number;
  /** Injected so tests can tick by hand; the real one is unref'd so it never keeps the process alive. */
  every?: (callback: () => void, ms: number) => { stop(): void };
}

/** What /status shows about the key. */
export interface KeyStatus {
  freeTier: boolean | undefined;
  /** Free-model requests allowed per UTC day: 50 on the free tier, 1000 once credits were bought. */
  dailyLimit: number | undefined;
  checkedAt: number | undefined;
  error: string | undefined;
}

export interface KeyPoller {
  /** Reads /key now and then every interval; resolves after the first read (which never throws). */
  start(): Promise<void>;
  stop(): void;
  status(): KeyStatus;
  dailyLimit(): number | undefined;
}

const HOUR_MS = 3_600_000;

/** The account's daily free-model request limit for a /key answer. */
export function dailyLimitOf(info: KeyInfo): number {
  return info.is_free_tier === false ? 1000 : 50;
}

const unrefInterval = (callback: () => void, ms: number) => {
  const handle = setInterval(callback, ms);
  handle.unref();
  return { stop: () => clearInterval(handle) };
};

/** Builds the poller that keeps the key's tier (and so the daily limit) fresh. */
export function createKeyPoller(options: KeyPollerOptions): KeyPoller {
  const every = options.every ?? unrefInterval;
  let state: KeyStatus = { freeTier: undefined, dailyLimit: undefined, checkedAt: undefined, error: undefined };
  let timer: { stop(): void } | undefined;

  async function read(): Promise<void> {
    try {
      const info = await options.client.keyInfo();
      state = { freeTier: info.is_free_tier !== false, dailyLimit: dailyLimitOf(info), checkedAt: options.now(), error: undefined };
    } catch (error) {
      // Keep the last known tier: an hour-old answer beats none while OpenRouter is down.
      const message = error instanceof Error ? error.message : String(error);
      state = { ...state, error: message };
      options.logger.warn('cannot read OpenRouter /key; the daily free-request limit shown may be stale', { error: message });
    }
  }

  return {
    async start() {
      timer ??= every(() => void read(), options.intervalMs ?? HOUR_MS);
      await read();
    },
    stop() {
      timer?.stop();
      timer = undefined;
    },
    status: () => state,
    dailyLimit: () => state.dailyLimit,
  };
}
