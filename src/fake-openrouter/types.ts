// Public types of the offline OpenRouter fake; server.ts re-exports them.

/** One entry of `GET /api/v1/models`, declared in the key order OpenRouter serves. */
export interface FakeModel {
  id: string;
  canonical_slug: string;
  hugging_face_id?: string | null;
  name: string;
  created: number;
  description: string;
  context_length: number | null;
  architecture: {
    modality: string;
    input_modalities: string[];
    output_modalities: string[];
    tokenizer: string;
    instruct_type: string | null;
  };
  // Decimal strings in USD per token; routers use "-1" (variable price).
  pricing: { prompt: string; completion: string; [unit: string]: string | number | undefined };
  top_provider: { context_length: number | null; max_completion_tokens: number | null; is_moderated: boolean };
  per_request_limits: { prompt_tokens: string; completion_tokens: string } | null;
  supported_parameters: string[];
  default_parameters: Record<string, number> | null;
  knowledge_cutoff?: string | null;
  expiration_date: string | null;
  links?: { details: string };
  reasoning?: {
    supported_efforts: string[] | null;
    default_effort: string | null;
    default_enabled: boolean;
    mandatory: boolean;
  };
}

export interface FakeOpenRouterOptions {
  port?: number;
  host?: string;
  models?: FakeModel[];
  keepAliveComments?: number;
  // What GET /key reports; the default is a free-tier key without a credit limit.
  key?: KeyOptions;
  // Account-wide caps on `:free` model requests (none unless given), as OpenRouter enforces them.
  freeLimits?: FreeLimits;
}

/** Caps shared by every `:free` model; a request over a cap gets OpenRouter's platform 429. */
export interface FreeLimits {
  // free-models-per-min (20 upstream); its window is a whole minute unless minuteWindowMs shortens it for tests.
  perMinute?: number;
  minuteWindowMs?: number;
  // free-models-per-day (50 upstream; 1000, "-high-balance", when the key is not free tier), reset at 00:00 UTC.
  perDay?: number;
}

/** The account behind the key, as GET /key describes it. */
export interface KeyOptions {
  isFreeTier?: boolean;
  // Credit limit in USD (null: unlimited) and when it resets ('daily' | 'weekly' | 'monthly' | null).
  limit?: number | null;
  limitReset?: string | null;
  // Credits already spent before this fake started; replies served add to it.
  usage?: number;
}

/**
 * An account-wide outage: chat and embeddings (and with includeReadRoutes also /models and /key) fail.
 * Status 429 plays a burst of provider rate limits on every model instead (OpenRouter is up, the
 * providers' shared free pools are not).
 */
export interface OutageOptions {
  // An HTTP error with OpenRouter's body, or 'reset': the connection drops before any header.
  status: 500 | 502 | 503 | 401 | 429 | 'reset';
  durationMs: number;
  retryAfterSeconds?: number;
  message?: string;
  includeReadRoutes?: boolean;
}

export interface OutageStatus {
  active: boolean;
  // Epoch ms at which the current (or last) outage is (was) scheduled to end; null when none was started.
  endsAt: number | null;
  // Requests refused by the current (or last) outage.
  refused: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export type RateLimitScope = 'per-day' | 'per-day-high-balance' | 'per-min' | 'upstream';

export type Fault =
  // resetInMs puts X-RateLimit-Reset that far from now instead of at the window boundary (short test waits).
  | { kind: 'rate-limit'; scope: RateLimitScope; resetAt?: number; resetInMs?: number; retryAfterSeconds?: number }
  | { kind: 'http'; status: number; message?: string; raw?: string; providerName?: string; retryAfterSeconds?: number }
  | { kind: 'no-endpoints' }
  // A 403 moderation refusal; flaggedInput defaults to the last user text (middle-truncated to 100 chars).
  | { kind: 'moderation'; reasons?: string[]; providerName?: string; flaggedInput?: string }
  | { kind: 'free-period-ended' }
  | { kind: 'error-chunk'; afterChunks: number; shape?: 'choices' | 'empty-choices' | 'bare'; code?: number; message?: string }
  | { kind: 'stall'; afterChunks: number; keepAliveEveryMs?: number }
  | { kind: 'reset'; afterChunks: number }
  | { kind: 'malformed'; afterChunks: number }
  | { kind: 'truncate'; afterChunks: number }
  | { kind: 'error-body'; status?: number }
  | { kind: 'leading-whitespace' }
  | { kind: 'delay'; ms: number };

export interface FakeOpenRouter {
  url: string;
  port: number;
  requests: RecordedRequest[];
  chatRequests(): Array<Record<string, unknown>>;
  script(modelId: string, ...faults: Fault[]): void;
  setModels(models: FakeModel[]): void;
  setOffline(offline: boolean): void;
  // Starts an outage (replacing a running one); it ends by itself after durationMs.
  outage(options: OutageOptions): OutageStatus;
  outageStatus(): OutageStatus;
  // Resolves with the final status when the current outage ends (at once when none is running).
  outageEnded(): Promise<OutageStatus>;
  endOutage(): void;
  setKey(key: KeyOptions): void;
  setFreeLimits(limits: FreeLimits | undefined): void;
  activeStreams(): number;
  abortedStreams(): number;
  waitForAbort(timeoutMs: number): Promise<boolean>;
  reset(): void;
  close(): Promise<void>;
}

/** The response side of one request, as the handlers see it (server.ts adapts node:http to it). */
export interface Sink {
  // Aborted when the client goes away or the fake closes.
  signal: AbortSignal;
  start(status: number, headers: Record<string, string>): void;
  // Resolves once the text is accepted, waiting for 'drain' under backpressure.
  write(text: string): Promise<void>;
  end(text?: string): void;
  // A server-side connection reset; not counted as a client abort.
  destroy(): void;
}
