import type { ChatChunk, ToolCallDelta, Usage } from '../../chat/wire.ts';
import type { ChatPart } from '../../chat/parts.ts';
import { createToolCallBuffer } from '../../chat/tool-calls.ts';
import type { Sink, Stage } from '../../streams/stage.ts';
import { toResponseError } from './errors.ts';
import { isCustomTool, messageItem, outputText, reasoningItem, responseObject, toFinalStatus, toolCallIdPrefix, toolCallItem, toResponsesUsage } from './output-items.ts';
import type { OutputItem, ResponseContext } from './types.ts';

interface OpenText {
  kind: 'message' | 'reasoning';
  index: number;
  id: string;
  text: string;
}

interface OpenCall {
  index: number;
  id: string;
  callId: string;
  name: string;
  arguments: string;
}

/**
 * Chat part batches → the Responses SSE event sequence. Reasoning and content each become one item
 * (a new item whenever the kind changes); tool calls, keyed by the upstream index, are items one
 * after another (see appendCall). `flush` always ends the stream with
 * `response.completed` (status `incomplete` for a length cut), unless an error part already ended
 * it with `response.failed`.
 */
export function toResponseEventsStage(context: ResponseContext): Stage<ChatPart[], Uint8Array> {
  const encoder = new TextEncoder();
  const output: OutputItem[] = [];
  const calls = new Map<number, OpenCall>();
  const fragments = createToolCallBuffer();
  let text: OpenText | undefined;
  let sequence = 0;
  let started = false;
  let ended = false;
  let finishReason: string | null | undefined;
  let usage: Usage | undefined;
  let pending = '';

  const emit = (type: string, fields: Record<string, unknown>) => {
    pending += `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...fields })}\n\n`;
  };
  const send = (sink: Sink<Uint8Array>) => {
    if (pending === '') return;
    sink.enqueue(encoder.encode(pending));
    pending = '';
  };
  const start = () => {
    if (started) return;
    started = true;
    emit('response.created', { response: responseObject(context, { status: 'in_progress', output: [] }) });
    emit('response.in_progress', { response: responseObject(context, { status: 'in_progress', output: [] }) });
  };
  const addItem = (item: OutputItem) => {
    output.push(item);
    emit('response.output_item.added', { output_index: output.length - 1, item });
  };

  const openText = (kind: OpenText['kind']): OpenText => {
    if (text?.kind === kind) return text;
    closeText();
    // Text after tool calls is a new item: the calls before it end first, so items never overlap.
    closeCalls();
    const opened: OpenText = { kind, index: output.length, id: context.newId(kind === 'message' ? 'msg' : 'rs'), text: '' };
    addItem(kind === 'message' ? messageItem(opened.id, '', 'in_progress') : reasoningItem(opened.id, undefined));
    const where = { item_id: opened.id, output_index: opened.index };
    if (kind === 'message') emit('response.content_part.added', { ...where, content_index: 0, part: outputText('') });
    else emit('response.reasoning_summary_part.added', { ...where, summary_index: 0, part: { type: 'summary_text', text: '' } });
    text = opened;
    return opened;
  };

  const appendText = (kind: OpenText['kind'], delta: string) => {
    const open = openText(kind);
    open.text += delta;
    const where = { item_id: open.id, output_index: open.index };
    if (kind === 'message') emit('response.output_text.delta', { ...where, content_index: 0, delta, logprobs: [] });
    else emit('response.reasoning_summary_text.delta', { ...where, summary_index: 0, delta });
  };

  function closeText() {
    if (text === undefined) return;
    const { kind, id, index, text: full } = text;
    const where = { item_id: id, output_index: index };
    if (kind === 'message') {
      emit('response.output_text.done', { ...where, content_index: 0, text: full, logprobs: [] });
      emit('response.content_part.done', { ...where, content_index: 0, part: outputText(full) });
    } else {
      emit('response.reasoning_summary_text.done', { ...where, summary_index: 0, text: full });
      emit('response.reasoning_summary_part.done', { ...where, summary_index: 0, part: { type: 'summary_text', text: full } });
    }
    output[index] = kind === 'message' ? messageItem(id, full, 'completed') : reasoningItem(id, full);
    emit('response.output_item.done', { output_index: index, item: output[index] });
    text = undefined;
  }

  // OpenAI sends output items one after another (added, argument deltas, arguments.done, item done,
  // then the next item), and clients such as pi keep a single "current item". Upstream fragments of
  // parallel calls may interleave, so only the first open call streams live; later calls collect
  // their fragments and are sent whole, in order, once the calls before them are closed.
  const appendCall = (delta: ToolCallDelta) => {
    // The shared buffer knows which call a fragment belongs to, `index` or not (some providers omit it).
    const key = fragments.add([delta])[0] as number;
    let call = calls.get(key);
    if (call === undefined) {
      closeText();
      call = { index: -1, id: '', callId: delta.id ?? context.newId('call'), name: delta.function?.name ?? '', arguments: '' };
      calls.set(key, call);
      if (calls.size === 1) openCall(call);
    }
    const fragment = delta.function?.arguments ?? '';
    if (fragment === '') return;
    call.arguments += fragment;
    if (call.index !== -1) streamArguments(call, fragment);
  };

  const openCall = (call: OpenCall) => {
    call.index = output.length;
    call.id = context.newId(toolCallIdPrefix(context, call.name));
    addItem(toolCallItem(context, { ...call, arguments: '' }, 'in_progress'));
  };

  // A custom tool's raw input is wrapped in JSON upstream, so it cannot be streamed as it arrives.
  const streamArguments = (call: OpenCall, fragment: string) => {
    if (!isCustomTool(context, call.name)) emit('response.function_call_arguments.delta', { item_id: call.id, output_index: call.index, delta: fragment });
  };

  const closeCalls = () => {
    for (const call of calls.values()) {
      if (call.index === -1) {
        openCall(call);
        if (call.arguments !== '') streamArguments(call, call.arguments);
      }
      const item = toolCallItem(context, call, 'completed');
      if (item.type === 'function_call') emit('response.function_call_arguments.done', { item_id: call.id, output_index: call.index, arguments: call.arguments });
      output[call.index] = item;
      emit('response.output_item.done', { output_index: call.index, item });
    }
    calls.clear();
  };

  const onChunk = (chunk: ChatChunk) => {
    if (chunk.usage !== undefined) usage = chunk.usage;
    const choice = chunk.choices?.[0];
    if (choice === undefined) return;
    const delta = choice.delta;
    if (delta?.reasoning) appendText('reasoning', delta.reasoning);
    if (delta?.content) appendText('message', delta.content);
    for (const call of delta?.tool_calls ?? []) appendCall(call);
    if (choice.finish_reason) finishReason = choice.finish_reason;
  };

  return {
    transform(parts, sink) {
      if (ended) return;
      start();
      for (const part of parts) {
        if (part.type === 'chunk') {
          onChunk(part.chunk);
          continue;
        }
        ended = true;
        emit('response.failed', { response: responseObject(context, { status: 'failed', output, error: toResponseError(part.error) }) });
        break;
      }
      send(sink);
    },
    flush(sink) {
      if (ended) return;
      start();
      closeText();
      closeCalls();
      const final = toFinalStatus(finishReason);
      emit('response.completed', { response: responseObject(context, { ...final, output, usage: toResponsesUsage(usage) }) });
      send(sink);
    },
  };
}
