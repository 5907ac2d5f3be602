/** Parses a call's arguments into the object Anthropic's `input` must be; empty or non-object JSON gives `{}`. */
export function toToolInput(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    // A model that wrote broken JSON: the client gets an empty input rather than a failed message.
    return {};
  }
}
