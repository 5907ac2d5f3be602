// `[tool=NAME]` and `[args={...}]` in the last user text: which tool the fake calls, and with what arguments.
// Agent CLIs wrap the prompt in long text blocks, so the directives may sit anywhere in that text.

/** The tool name of the first `[tool=NAME]` directive, if any. */
export function toolNameDirective(text: string): string | undefined {
  return /\[tool=([^\]\s]+)\]/.exec(text)?.[1];
}

// Index just past the JSON object that starts at `start` ('{'), honouring strings and escapes; -1 if unbalanced.
function endOfObject(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
    } else if (c === '{' || c === '[') {
      depth++;
    } else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

const ARGS_MARKER = '[args=';

// The `[args={...}]` directive at `at`: its arguments and where it ends, or undefined when it is not one.
function argsAt(text: string, at: number): { args: string; end: number } | undefined {
  const start = at + ARGS_MARKER.length;
  if (!text.startsWith(ARGS_MARKER, at) || text[start] !== '{') return undefined;
  const end = endOfObject(text, start);
  if (end === -1 || text[end] !== ']') return undefined;
  const raw = text.slice(start, end);
  try {
    return { args: JSON.stringify(JSON.parse(raw)), end: end + 1 };
  } catch {
    return { args: raw, end: end + 1 };
  }
}

/**
 * The arguments of the first `[args={...}]` directive: compact JSON when the object parses, else the raw
 * text between the braces, so a test can make the model send malformed arguments on purpose.
 */
export function argsDirective(text: string): string | undefined {
  for (let at = text.indexOf(ARGS_MARKER); at !== -1; at = text.indexOf(ARGS_MARKER, at + 1)) {
    const found = argsAt(text, at);
    if (found !== undefined) return found.args;
  }
  return undefined;
}

/**
 * Parallel calls: every `[tool=NAME]` with the `[args={...}]` written right after it (spaces allowed
 * between), in order. Agents such as pi must keep each call's arguments with its own call, so a test
 * needs several calls with different arguments in one reply.
 */
export function toolCallDirectives(text: string): Array<{ name: string; args?: string }> {
  const calls: Array<{ name: string; args?: string }> = [];
  for (const match of text.matchAll(/\[tool=([^\]\s]+)\]\s*/g)) {
    const found = argsAt(text, (match.index ?? 0) + match[0].length);
    calls.push({ name: match[1] as string, ...(found !== undefined ? { args: found.args } : {}) });
  }
  return calls;
}
