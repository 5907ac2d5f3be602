/**
 * The user turn for fill-in-the-middle. OpenRouter's chat API has no FIM, so the model is asked in
 * words, with the code before and after the gap in fixed tags; the text is constant so that the
 * same request always produces the same prompt.
 */
export function toFillInTheMiddlePrompt(prompt: string, suffix: string): string {
  return (
    `<prefix>${prompt}</prefix>\n<suffix>${suffix}</suffix>\n\n` +
    'Write the text that belongs between <prefix> and <suffix>. Reply with that text only: ' +
    'no explanation, no Markdown code fences, and do not repeat the prefix or the suffix.'
  );
}
