import type { ChatChunk } from '../../chat/wire.ts';
import type { ChatPart } from '../../chat/parts.ts';
import type { Stage } from '../../streams/stage.ts';
import { toAnthropicErrorBody } from './errors.ts';
import { toAnthropicStopReason } from './map-stop-reason.ts';
import { createToolCallBuffer, toToolInput, type BufferedToolCall } from './tool-call-buffer.ts';
import type { AnthropicMessage, AnthropicResponseBlock } from './types.ts';
import { thinkingSignature } from './thinking-signature.ts';

export interface AnthropicStreamOptions {
  /** The message id (`msg_…`), and how tool calls without a provider id are named. */
  id: string;
  /** The model name the client asked for. */
  model: string;
  /** Shown in `message_start` until the upstream's own count arrives in `message_delta`. */
  estimatedInputTokens: number;
}

const encoder = new TextEncoder();

/** One SSE event as Anthropic writes it: the `event:` line names the data's `type`. */
const sse = <T extends { type: string }>(data: T): string => `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`;

/**
 * Chat part batches → Anthropic Messages SSE bytes, in Anthropic's order: `message_start`, each
 * content block as start/deltas/stop, then `message_delta` and `message_stop`. Text and reasoning
 * stream as they come; tool calls are buffered by index and each becomes one `tool_use` block when
 * the upstream finishes, because providers may interleave fragments of several calls. An error
 * part ends the stream with `event: error`; otherwise `flush` always writes the terminal events.
 */
export function anthropicEventStage(options: AnthropicStreamOptions): Stage<ChatPart[], Uint8Array> {
  const tools = createToolCallBuffer((index) => `toolu_${options.id.replace(/^msg_/, '')}_${index}`);
  const blocks = createBlockWriter();
  const finish = { reason: undefined as string | null | undefined, native: undefined as string | null | undefined, calledTools: false };
  const usage: { input?: number | undefined; output?: number | undefined } = {};
  let started = false;
  let failed = false;

  const start = (): string => {
    if (started) return '';
    started = true;
    const message: AnthropicMessage = {
      id: options.id, type: 'message', role: 'assistant', model: options.model, content: [],
      stop_reason: null, stop_sequence: null, usage: { input_tokens: options.estimatedInputTokens, output_tokens: 0 },
    };
    return sse({ type: 'message_start', message }) + sse({ type: 'ping' });
  };
  const emitTools = (): string => {
    const calls = tools.drain();
    if (calls.length > 0) finish.calledTools = true;
    return blocks.toolUses(calls);
  };
  const fromChunk = (chunk: ChatChunk): string => {
    let out = '';
    if (chunk.usage !== undefined) Object.assign(usage, { input: chunk.usage.prompt_tokens, output: chunk.usage.completion_tokens });
    for (const choice of chunk.choices ?? []) {
      if (choice.delta?.reasoning) out += blocks.delta('thinking', choice.delta.reasoning);
      if (choice.delta?.content) out += blocks.delta('text', choice.delta.content);
      tools.add(choice.delta?.tool_calls);
      if (!choice.finish_reason) continue;
      finish.reason = choice.finish_reason;
      finish.native = (choice as { native_finish_reason?: string | null }).native_finish_reason;
      out += emitTools();
    }
    return out;
  };
  const end = (): string => {
    const out = emitTools();
    const delta = { stop_reason: toAnthropicStopReason(finish.reason, finish.native, finish.calledTools), stop_sequence: null };
    const counts = { ...(usage.input !== undefined ? { input_tokens: usage.input } : {}), output_tokens: usage.output ?? 0 };
    return out + sse({ type: 'message_delta', delta, usage: counts }) + sse({ type: 'message_stop' });
  };

  return {
    transform(parts, sink) {
      if (failed) return;
      let out = start();
      for (const part of parts) {
        if (part.type === 'error') {
          failed = true;
          out += sse(toAnthropicErrorBody(part.error));
          break;
        }
        out += fromChunk(part.chunk);
      }
      if (out !== '') sink.enqueue(encoder.encode(out));
    },
    flush(sink) {
      if (!failed) sink.enqueue(encoder.encode(start() + end()));
    },
  };
}

/** Writes content blocks with running indexes: at most one text or thinking block is open at a time. */
function createBlockWriter() {
  let open: 'text' | 'thinking' | undefined;
  let index = 0;
  let thinking = '';
  const close = (): string => {
    if (open === undefined) return '';
    // As Anthropic does: a thinking block's signature arrives last, as a `signature_delta`.
    const signature = open === 'thinking' ? sse({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: thinkingSignature(thinking) } }) : '';
    open = undefined;
    thinking = '';
    return signature + sse({ type: 'content_block_stop', index: index++ });
  };
  return {
    /** A text or thinking delta, opening a block of that kind (and closing the other) when needed. */
    delta(kind: 'text' | 'thinking', text: string): string {
      let out = '';
      if (open !== kind) {
        out += close();
        open = kind;
        const block: AnthropicResponseBlock = kind === 'text' ? { type: 'text', text: '' } : { type: 'thinking', thinking: '', signature: '' };
        out += sse({ type: 'content_block_start', index, content_block: block });
      }
      if (kind === 'thinking') thinking += text;
      const delta = kind === 'text' ? { type: 'text_delta', text } : { type: 'thinking_delta', thinking: text };
      return out + sse({ type: 'content_block_delta', index, delta });
    },
    /** Whole tool calls, each as one `tool_use` block whose input arrives in a single `input_json_delta`. */
    toolUses(calls: readonly BufferedToolCall[]): string {
      let out = close();
      for (const call of calls) {
        const content_block = { type: 'tool_use', id: call.id, name: call.name, input: {} };
        const delta = { type: 'input_json_delta', partial_json: JSON.stringify(toToolInput(call.arguments)) };
        out += sse({ type: 'content_block_start', index, content_block });
        out += sse({ type: 'content_block_delta', index, delta });
        out += sse({ type: 'content_block_stop', index: index++ });
      }
      return out;
    },
  };
}
