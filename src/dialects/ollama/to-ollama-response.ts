import type { ChunkPart, StreamTiming } from '../../chat/parts.ts';
import { createToolCallBuffer } from '../../chat/tool-calls.ts';
import type { Usage } from '../../chat/wire.ts';
import type { Clock } from '../../clock.ts';
import { toOllamaDoneReason } from './to-ollama.ts';
import { toOllamaMetrics, toOllamaToolCallsFrom, type OllamaLine, type OllamaLineFormat } from './to-ollama-lines.ts';

/**
 * The one object a `stream: false` client gets, built straight from the collected chunks: the
 * content, thinking and tool calls joined, and the final fields with real timings.
 */
export function toOllamaResponse(format: OllamaLineFormat, parts: readonly ChunkPart[], timing: StreamTiming, clock: Clock): OllamaLine {
  const toolCalls = createToolCallBuffer();
  let content = '';
  let thinking = '';
  let finishReason: string | null | undefined;
  let usage: Usage | undefined;
  let contentChunks = 0;
  for (const { chunk } of parts) {
    if (chunk.usage) usage = chunk.usage;
    for (const choice of chunk.choices ?? []) {
      const delta = choice.delta;
      if (delta?.tool_calls) toolCalls.add(delta.tool_calls);
      if (delta?.content || delta?.reasoning) contentChunks++;
      content += delta?.content ?? '';
      thinking += delta?.reasoning ?? '';
      if (choice.finish_reason) finishReason = choice.finish_reason;
    }
  }
  // The answer was whole before this ran, so its first token and its end are now.
  const end = clock.monotonic();
  const fields = { content, ...(thinking ? { thinking } : {}), toolCalls: toOllamaToolCallsFrom(toolCalls.take()) };
  return format.whole(new Date(clock.wall()).toISOString(), fields, toOllamaDoneReason(finishReason), toOllamaMetrics(timing, end, end, usage, contentChunks));
}
