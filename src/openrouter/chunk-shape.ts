// The shape of what OpenRouter sends, checked once at the boundary. Every consumer downstream reads
// chunks and completions as the wire types in chat/wire.ts declare them; data of another shape
// (`tool_calls: [null]`, `choices: 5`, `data: null`) must fail here, as an upstream failure that
// names the data, not later as a TypeError in an encoder. Fields nobody reads are not checked, and
// `null` is accepted wherever a field is optional, as OpenAI-compatible providers send it.

/** Where a check failed (`choices[0].delta`; empty for the value itself) and what was found there. */
interface Failure {
  path: string;
  found: string;
}

// Checks run on every chunk of every stream, so success allocates nothing: a path is built only
// on the way back up from a failure.
type Check = (value: unknown) => Failure | undefined;

/** What a JSON value is, as a reason reads: "null", "an array", "a number". */
function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  return type === 'object' ? 'an object' : `a ${type}`;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `head` before a failure's path: `choices` + `[0].delta` = `choices[0].delta`, `delta` + `content` = `delta.content`. */
const under = (head: string, failure: Failure): Failure => ({
  path: failure.path === '' ? head : failure.path.startsWith('[') ? `${head}${failure.path}` : `${head}.${failure.path}`,
  found: failure.found,
});

const optional = (check: Check): Check => (value) => (value === undefined || value === null ? undefined : check(value));
const typed = (type: 'string' | 'number'): Check => (value) => (typeof value === type ? undefined : { path: '', found: kind(value) });
const optionalString = optional(typed('string'));
const optionalNumber = optional(typed('number'));

/** An object whose listed fields pass their checks; `required` objects may not be null either. */
function object(fields: Record<string, Check>, required = false): Check {
  const entries = Object.entries(fields);
  const check: Check = (value) => {
    if (!isObject(value)) return { path: '', found: kind(value) };
    for (const [name, field] of entries) {
      const failure = field(value[name]);
      if (failure !== undefined) return under(name, failure);
    }
    return undefined;
  };
  return required ? check : optional(check);
}

/** An array whose items pass `item` (items may not be null). */
function array(item: Check): Check {
  return optional((value) => {
    if (!Array.isArray(value)) return { path: '', found: kind(value) };
    for (let index = 0; index < value.length; index++) {
      const failure = item(value[index]);
      if (failure !== undefined) return under(`[${index}]`, failure);
    }
    return undefined;
  });
}

const usage = object({ prompt_tokens: optionalNumber, completion_tokens: optionalNumber, total_tokens: optionalNumber });
const error = object({});
const toolCall = (indexed: boolean) => object({
  ...(indexed ? { index: optionalNumber } : {}),
  id: optionalString,
  function: object({ name: optionalString, arguments: optionalString }),
}, true);
const text = { content: optionalString, reasoning: optionalString, reasoning_content: optionalString, role: optionalString };

const CHUNK = object({
  choices: array(object({ delta: object({ ...text, tool_calls: array(toolCall(true)) }), finish_reason: optionalString, error }, true)),
  usage,
  error,
}, true);

const COMPLETION = object({
  choices: array(object({ message: object({ ...text, tool_calls: array(toolCall(false)) }), finish_reason: optionalString, error }, true)),
  usage,
  error,
}, true);

/** Why a parsed stream chunk cannot be read (e.g. "choices[0].delta.tool_calls[0] is null"), or undefined when it can. */
export function malformedChunkReason(chunk: unknown): string | undefined {
  return reason(CHUNK(chunk), 'the chunk');
}

/** Why a parsed non-streamed completion cannot be read, or undefined when it can. */
export function malformedCompletionReason(completion: unknown): string | undefined {
  return reason(COMPLETION(completion), 'the completion');
}

function reason(failure: Failure | undefined, whole: string): string | undefined {
  return failure === undefined ? undefined : `${failure.path === '' ? whole : failure.path} is ${failure.found}`;
}
