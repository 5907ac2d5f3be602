// What matching ignores in a request body: the parts an agent client changes from run to run
// without changing the question (dates, per-run hashes, ids, timings). Pure: no I/O here.
//
// The defaults come from recordings of the real clients made through the proxy, run twice in the same
// folder (Claude Code 2.1, Codex 0.171, pi 0.73, opencode 1.18; the SDKs add nothing of their own).

/** Parts of a body that matching ignores; the recording itself keeps them as sent. */
export interface IgnoreRules {
  /** Text matched anywhere in any string of the body is replaced by IGNORED. */
  patterns: readonly RegExp[];
  /** Key paths from the body's root (`*` matches any key or index) whose values are dropped. */
  fields: readonly (readonly string[])[];
  /** Tool call ids are renumbered in order of appearance, keeping which result answers which call. */
  renumberToolCalls: boolean;
}

/** What an ignored piece of text becomes, so that text around it still has to match. */
export const IGNORED = '<ignored>';

export const DEFAULT_IGNORE: IgnoreRules = {
  patterns: [
    // Claude Code opens its system prompt with an attribution line whose hash (cc_version=2.1.337.53e)
    // and fields follow the version and the prompt.
    /x-anthropic-billing-header:[^\n]*/g,
    // Today's date, as each client words it: Claude Code, Codex, pi, opencode.
    /Today's date is \d{4}-\d{2}-\d{2}/g,
    /<current_date>[^<]{0,40}<\/current_date>/g,
    /Current date: \d{4}-\d{2}-\d{2}/g,
    /Today's date: [A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{4}/g,
    // Codex heads every command's output with a random chunk id and the time the command took.
    /Chunk ID: [0-9a-f]+/g,
    /Wall time: \d+(?:\.\d+)? seconds/g,
  ],
  // Who is asking, not what: /v1/chat/completions forwards them as the client sent them, and SDKs fill
  // them with per-session ids (Codex's prompt_cache_key and metadata).
  fields: [['user'], ['metadata'], ['prompt_cache_key'], ['safety_identifier']],
  // A replayed answer gives the client the recorded ids, but a live one (a miss) gets fresh ids from
  // the model, and the proxy mints its own where a model sends none (toolu_…, call_…): the next turn
  // echoes them back, and would then match nothing.
  renumberToolCalls: true,
};

/** No rules at all (replay.json `"ignore": {"defaults": false}` with nothing added). */
export const NO_IGNORE: IgnoreRules = { patterns: [], fields: [], renumberToolCalls: false };

/** The body with every ignored part dropped or replaced, for matching only. */
export function withoutIgnored(body: unknown, rules: IgnoreRules): unknown {
  let out = body;
  for (const path of rules.fields) out = dropPath(out, path);
  if (rules.patterns.length > 0) out = mapStrings(out, (text) => rules.patterns.reduce((acc, pattern) => acc.replace(pattern, IGNORED), text));
  return rules.renumberToolCalls ? renumberToolCalls(out) : out;
}

function dropPath(value: unknown, path: readonly string[]): unknown {
  const [head, ...rest] = path;
  if (head === undefined || value === null || typeof value !== 'object') return value;
  // A path ends at a key: array items are descended into, never dropped (the rest would shift).
  if (Array.isArray(value)) return rest.length === 0 ? value : value.map((item, i) => (head === '*' || head === String(i) ? dropPath(item, rest) : item));
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (head !== '*' && head !== key) out[key] = child;
    else if (rest.length > 0) out[key] = dropPath(child, rest);
  }
  return out;
}

function mapStrings(value: unknown, map: (text: string) => string): unknown {
  if (typeof value === 'string') return map(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, map));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, mapStrings(child, map)]));
}

// `tool_calls[].id` and `tool_call_id` anywhere in the body: each distinct id becomes `<tool-call-N>`.
function renumberToolCalls(body: unknown): unknown {
  const numbers = new Map<string, string>();
  const renumber = (id: string) => numbers.get(id) ?? numbers.set(id, `<tool-call-${numbers.size + 1}>`).get(id) as string;
  const walk = (value: unknown, inToolCalls: boolean): unknown => {
    if (Array.isArray(value)) return value.map((item) => walk(item, inToolCalls));
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(Object.entries(value).map(([key, child]) => {
      const isId = typeof child === 'string' && (key === 'tool_call_id' || (inToolCalls && key === 'id'));
      return [key, isId ? renumber(child as string) : walk(child, key === 'tool_calls')];
    }));
  };
  return walk(body, false);
}

/** Reads the `ignore` object of replay.json; throws an Error that says what is wrong. */
export function parseIgnoreRules(value: unknown): IgnoreRules {
  if (value === undefined) return DEFAULT_IGNORE;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('"ignore" must be an object');
  const { patterns = [], fields = [], defaults = true } = value as { patterns?: unknown; fields?: unknown; defaults?: unknown };
  if (typeof defaults !== 'boolean') throw new Error('"ignore.defaults" must be true or false');
  const strings = (list: unknown, name: string): string[] => {
    if (!Array.isArray(list) || list.some((item) => typeof item !== 'string' || item === '')) throw new Error(`"ignore.${name}" must be an array of non-empty strings`);
    return list as string[];
  };
  const own = strings(patterns, 'patterns').map((source, i) => {
    try {
      return new RegExp(source, 'g');
    } catch (error) {
      throw new Error(`"ignore.patterns[${i}]" is not a valid regular expression (${(error as Error).message})`);
    }
  });
  const base = defaults ? DEFAULT_IGNORE : NO_IGNORE;
  return {
    patterns: [...base.patterns, ...own],
    fields: [...base.fields, ...strings(fields, 'fields').map((path) => path.split('.'))],
    renumberToolCalls: base.renumberToolCalls,
  };
}
