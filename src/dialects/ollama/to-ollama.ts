import { HttpError } from '../../errors.ts';
import type { OllamaToolCall } from './types.ts';
import { badRequest } from '../field-validators.ts';

/** Ollama's `done_reason` for an OpenAI `finish_reason`: only a length cut-off differs from "stop". */
export function toOllamaDoneReason(finishReason: string | null | undefined): 'stop' | 'length' {
  // The native API has no "tool_calls" reason: Ollama reports "stop" when the model called tools.
  return finishReason === 'length' ? 'length' : 'stop';
}

interface UpstreamToolCall {
  id?: string;
  function?: { name?: string; arguments?: string };
}

const ARGUMENTS_PREVIEW_CHARS = 100;

function toArguments(text: string | undefined): Record<string, unknown> {
  // Models calling a function without parameters often send "" rather than "{}".
  if (text === undefined || text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  // Ollama clients read `arguments` as an object; anything else would break them further down.
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    const preview = text.slice(0, ARGUMENTS_PREVIEW_CHARS);
    throw new HttpError(502, `upstream returned tool call arguments that are not valid JSON: ${preview}`);
  }
  return parsed as Record<string, unknown>;
}

/** Ollama tool calls from complete OpenAI ones: arguments parsed to objects, `index` inside `function`. */
export function toOllamaToolCalls(calls: UpstreamToolCall[]): OllamaToolCall[] {
  return calls.map((call, index) => {
    const converted: OllamaToolCall = {
      function: { index, name: call.function?.name ?? '', arguments: toArguments(call.function?.arguments) },
    };
    // Ollama omits an empty id, so do we.
    return call.id ? { id: call.id, ...converted } : converted;
  });
}

// Go's time.ParseDuration units, in milliseconds.
const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const NUMBER = String.raw`(?:\d+(?:\.\d*)?|\.\d+)`;
const GO_DURATION = new RegExp(String.raw`^[-+]?(?:${NUMBER}(?:ns|us|µs|μs|ms|s|m|h))+$`);
const DURATION_PART = new RegExp(String.raw`(${NUMBER})(ns|us|µs|μs|ms|s|m|h)`, 'g');
const SECONDS = new RegExp(String.raw`^[-+]?${NUMBER}$`);

/**
 * A `keep_alive` value in milliseconds: a number is seconds, a string is a Go duration ("1h30m") or
 * a plain number of seconds ("-1"); negative means forever (Infinity), undefined stays undefined.
 */
export function parseKeepAlive(value: number | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = typeof value === 'number' ? value * 1000 : parseDurationString(value);
  // `|| 0` turns "-0s" into 0 rather than -0.
  return ms < 0 ? Infinity : ms || 0;
}

function parseDurationString(text: string): number {
  if (SECONDS.test(text)) return Number(text) * 1000;
  if (!GO_DURATION.test(text)) badRequest(`invalid keep_alive duration: ${JSON.stringify(text)}`);
  let total = 0;
  for (const [, amount, unit] of text.matchAll(DURATION_PART)) total += Number(amount) * (UNIT_MS[unit ?? ''] ?? 0);
  return text.startsWith('-') ? -total : total;
}

/** An Ollama `created_at`: RFC 3339 in UTC, ending in `Z`. */
export function toOllamaTimestamp(ms: number): string {
  return new Date(ms).toISOString();
}
