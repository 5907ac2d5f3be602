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

/**
 * The arguments of the first `[args={...}]` directive: compact JSON when the object parses, else the raw
 * text between the braces, so a test can make the model send malformed arguments on purpose.
 */
export function argsDirective(text: string): string | undefined {
  const marker = '[args=';
  for (let at = text.indexOf(marker); at !== -1; at = text.indexOf(marker, at + 1)) {
    const start = at + marker.length;
    if (text[start] !== '{') continue;
    const end = endOfObject(text, start);
    if (end === -1 || text[end] !== ']') continue;
    const raw = text.slice(start, end);
    try {
      return JSON.stringify(JSON.parse(raw));
    } catch {
      return raw;
    }
  }
  return undefined;
}
