import type { CollectedAnswer } from '../../chat/answer.ts';
import type { Clock } from '../../clock.ts';
import type { StreamTiming } from '../../core/routed-chat.ts';
import { toOllamaDoneReason } from './to-ollama.ts';
import { toOllamaMetrics, toOllamaToolCallsFrom, type OllamaLine, type OllamaLineFormat } from './to-ollama-lines.ts';

/**
 * The one object a `stream: false` client gets, built straight from the collected answer: the
 * content, thinking and tool calls, and the final fields with real timings.
 */
export function toOllamaResponse(format: OllamaLineFormat, answer: CollectedAnswer, timing: StreamTiming, clock: Clock): OllamaLine {
  // The answer was whole before this ran, so its first token and its end are now.
  const end = clock.monotonic();
  const fields = { content: answer.text, ...(answer.reasoning ? { thinking: answer.reasoning } : {}), toolCalls: toOllamaToolCallsFrom(answer.toolCalls) };
  return format.whole(new Date(clock.wall()).toISOString(), fields, toOllamaDoneReason(answer.finishReason), toOllamaMetrics(timing, end, end, answer.usage, answer.contentEvents));
}
