import type { AnswerEvent } from '../../chat/answer.ts';
import type { Usage } from '../../chat/wire.ts';
import type { Stage } from '../../streams/stage.ts';
import { toAnthropicErrorBody } from './errors.ts';
import { toAnthropicStopReason } from './map-stop-reason.ts';
import { toToolInput } from './tool-input.ts';
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
 * Answer event batches → Anthropic Messages SSE bytes, in Anthropic's order: `message_start`, each
 * content block as start/deltas/stop, then `message_delta` and `message_stop`. Text and reasoning
 * stream as they come; each whole tool call becomes one `tool_use` block. An error event ends the
 * stream with `event: error`; otherwise the `finish` event (or, failing one, `flush`) writes the
 * terminal events.
 */
export function anthropicEventStage(options: AnthropicStreamOptions): Stage<AnswerEvent[], Uint8Array> {
  const newId = (index: number) => `toolu_${options.id.replace(/^msg_/, '')}_${index}`;
  const blocks = createBlockWriter();
  let calledTools = false;
  let started = false;
  let ended = false;

  const start = (): string => {
    if (started) return '';
    started = true;
    const message: AnthropicMessage = {
      id: options.id, type: 'message', role: 'assistant', model: options.model, content: [],
      stop_reason: null, stop_sequence: null, usage: { input_tokens: options.estimatedInputTokens, output_tokens: 0 },
    };
    return sse({ type: 'message_start', message }) + sse({ type: 'ping' });
  };
  const end = (reason: string | null, native: string | null | undefined, usage: Usage | undefined): string => {
    ended = true;
    const delta = { stop_reason: toAnthropicStopReason(reason, native, calledTools), stop_sequence: null };
    const counts = { ...(usage?.prompt_tokens !== undefined ? { input_tokens: usage.prompt_tokens } : {}), output_tokens: usage?.completion_tokens ?? 0 };
    return blocks.close() + sse({ type: 'message_delta', delta, usage: counts }) + sse({ type: 'message_stop' });
  };
  const convert = (event: AnswerEvent): string => {
    switch (event.type) {
      case 'reasoning':
        return blocks.delta('thinking', event.text);
      case 'text':
        return blocks.delta('text', event.text);
      case 'tool-call-end':
        calledTools = true;
        return blocks.toolUse({ id: event.call.id || newId(event.call.index), name: event.call.name, arguments: event.call.arguments });
      case 'finish':
        return end(event.reason, event.nativeReason, event.usage);
      case 'error':
        ended = true;
        return sse(toAnthropicErrorBody(event.error));
      default:
        return '';
    }
  };

  return {
    transform(events, sink) {
      if (ended) return;
      let out = start();
      for (const event of events) {
        out += convert(event);
        if (ended) break;
      }
      if (out !== '') sink.enqueue(encoder.encode(out));
    },
    flush(sink) {
      if (!ended) sink.enqueue(encoder.encode(start() + end(null, undefined, undefined)));
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
    /** A whole tool call, as one `tool_use` block whose input arrives in a single `input_json_delta`. */
    toolUse(call: { id: string; name: string; arguments: string }): string {
      const content_block = { type: 'tool_use', id: call.id, name: call.name, input: {} };
      const delta = { type: 'input_json_delta', partial_json: JSON.stringify(toToolInput(call.arguments)) };
      return close() + sse({ type: 'content_block_start', index, content_block }) + sse({ type: 'content_block_delta', index, delta }) + sse({ type: 'content_block_stop', index: index++ });
    },
    /** Closes the open text or thinking block, if any. */
    close,
  };
}
