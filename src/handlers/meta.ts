import type { Reply } from '../http/url-router.ts';
import { resilienceStatus } from './resilience-status.ts';
import type { HandlerContext } from './context.ts';

/**
 * The Ollama version whose API this server serves (server/routes.go and api/types.go at that tag):
 * `capabilities` in /api/tags (0.30), `think: "max"` (0.22), /api/status (0.16.2), `context_length` in
 * /api/ps; the cloud routes answer as an Ollama with cloud disabled. Copilot needs at least 0.6.4,
 * Codex's `--oss` 0.13.4, and Open WebUI parses it as integers.
 */
export const OLLAMA_VERSION = '0.32.15';

/** `GET|HEAD /`: the liveness answer every Ollama client probes. */
export function handleRoot(): Reply {
  return { text: 'Ollama is running' };
}

/** `GET|HEAD /api/hello`: Claude Code probes its base URL with `HEAD /api/hello` on every start. */
export function handleHello(): Reply {
  return { status: 200, empty: true };
}

/** `GET /api/status`: this server has no Ollama cloud, so it reports cloud as disabled (by its configuration). */
export function handleOllamaStatus(): Reply {
  return { json: { cloud: { disabled: true, source: 'config' } } };
}

/** `POST /api/experimental/web_search|web_fetch`: what Ollama answers with cloud disabled (they are cloud services). */
export function handleCloudOnly(request: { path: string }): Reply {
  const operation = request.path.endsWith('web_fetch') ? 'web fetch is unavailable' : 'web search is unavailable';
  return { status: 403, json: { error: `ollama cloud is disabled: ${operation}` } };
}

/** `GET /api/version`. */
export function handleVersion(): Reply {
  return { json: { version: OLLAMA_VERSION } };
}

/** `GET /status`: the mode, where the catalog came from, the filter, cooldowns and account limits. */
export function handleStatus(context: HandlerContext): Reply {
  return { json: statusSnapshot(context) };
}

/** The body of `GET /status`, shared with the dashboard's event stream. */
export function statusSnapshot(context: HandlerContext) {
  const now = context.clock.wall();
  const catalog = context.catalog.current();
  const iso = (ms: number) => new Date(ms).toISOString();
  const lastError = context.catalog.lastError?.();
  const limits = (['free-daily', 'free-minute'] as const)
    .map((scope) => context.store.accountLimit(scope, now))
    .filter((limit) => limit !== undefined)
    .map((limit) => ({ scope: limit.scope, resets_at: iso(limit.resetAt), message: limit.message }));
  return {
    mode: context.config.freeMode ? 'free' : 'all',
    tool_use_only: context.config.toolUseOnly,
    catalog: catalog === undefined
      ? { loaded: false, models: 0, visible: 0, ...(lastError ? { last_error: lastError } : {}) }
      : {
          loaded: true,
          source: catalog.source,
          fetched_at: iso(catalog.fetchedAt),
          age_seconds: Math.max(0, Math.round((now - catalog.fetchedAt) / 1000)),
          next_refresh_at: iso(context.catalog.nextRefreshAt()),
          models: catalog.models.length,
          free: catalog.models.filter((model) => model.free).length,
          visible: context.router.visibleModels().length,
          ...(lastError ? { last_error: lastError } : {}),
        },
    filter: { path: context.config.modelFilterPath, patterns: context.router.filterPatterns() },
    cooldowns: context.store.activeCooldowns(now).map((failure) => ({
      model: failure.model,
      kind: failure.kind,
      failures: failure.count,
      last_failure_at: iso(failure.lastFailureAt),
      until: iso(failure.cooldownUntil),
    })),
    account_limits: limits,
    ...resilienceStatus(context.router.resilience(), now),
  };
}
