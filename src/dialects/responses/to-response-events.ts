import type { AnswerEvent } from '../../chat/answer.ts';
import type { Usage } from '../../chat/wire.ts';
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

/** A tool call as an output item: its place, ids and what it has received so far. */
interface CallItem {
  upstreamIndex: number;
  index: number;
  id: string;
  callId: string;
  name: string;
  arguments: string;
  ended: boolean;
}

/**
 * Answer event batches → the Responses SSE event sequence. Reasoning and content each become one
 * item (a new item whenever the kind changes). Items come one after another, as OpenAI sends them:
 * each item's `added`, its deltas and its `done` before the next item's `added`. Tool calls may
 * stream interleaved upstream, so the first open call streams live and the others wait, with their
 * arguments buffered, until it ends. The `finish` event (or, failing one, `flush`) ends the stream
 * with `response.completed` (status `incomplete` for a length cut), unless an error event already
 * ended it with `response.failed`.
 */
export function toResponseEventsStage(context: ResponseContext): Stage<AnswerEvent[], Uint8Array> {
  const encoder = new TextEncoder();
  const output: OutputItem[] = [];
  // Calls in the order they started; the first is the live one (added to the output), the rest wait.
  const calls: CallItem[] = [];
  // Text or reasoning that came while a call was open waits for the calls to end (its item would overlap theirs).
  let held: Array<{ kind: OpenText['kind']; text: string }> = [];
  let text: OpenText | undefined;
  let sequence = 0;
  let started = false;
  let ended = false;
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

  const argumentsDelta = (call: CallItem, delta: string) => {
    // A custom tool's raw input is wrapped in JSON upstream, so it cannot be streamed as it arrives.
    if (delta !== '' && !isCustomTool(context, call.name)) emit('response.function_call_arguments.delta', { item_id: call.id, output_index: call.index, delta });
  };

  // Makes a waiting call the live one: it is added, and what it received while waiting is one delta.
  const goLive = (call: CallItem) => {
    closeText();
    call.index = output.length;
    addItem(toolCallItem(context, { ...call, arguments: '' }, 'in_progress'));
    argumentsDelta(call, call.arguments);
  };

  // Ends the live call, then brings on the next, ending it at once if it has already ended; once no
  // call is open, the text that waited for them follows.
  const endLive = () => {
    for (let live = calls[0]; live?.ended === true; live = calls[0]) {
      const item = toolCallItem(context, live, 'completed');
      if (item.type === 'function_call') emit('response.function_call_arguments.done', { item_id: live.id, output_index: live.index, arguments: live.arguments });
      output[live.index] = item;
      emit('response.output_item.done', { output_index: live.index, item });
      calls.shift();
      if (calls[0] !== undefined) goLive(calls[0]);
    }
    if (calls.length > 0) return;
    const waiting = held;
    held = [];
    for (const { kind, text: delta } of waiting) appendText(kind, delta);
  };
  const appendOrHold = (kind: OpenText['kind'], delta: string) => {
    if (calls.length > 0) held.push({ kind, text: delta });
    else appendText(kind, delta);
  };

  const onToolEvent = (event: Extract<AnswerEvent, { type: 'tool-call-start' | 'tool-call-delta' | 'tool-call-end' }>) => {
    if (event.type === 'tool-call-start') {
      const call: CallItem = { upstreamIndex: event.index, index: -1, id: context.newId(toolCallIdPrefix(context, event.name)), callId: event.id ?? context.newId('call'), name: event.name, arguments: '', ended: false };
      calls.push(call);
      if (calls.length === 1) goLive(call);
      return;
    }
    const call = calls.find((candidate) => candidate.upstreamIndex === (event.type === 'tool-call-end' ? event.call.index : event.index));
    if (call === undefined) return;
    if (event.type === 'tool-call-delta') {
      call.arguments += event.arguments;
      if (call === calls[0]) argumentsDelta(call, event.arguments);
      return;
    }
    call.ended = true;
    if (call === calls[0]) endLive();
  };

  const finish = (reason: string | null, usage: Usage | undefined) => {
    ended = true;
    closeText();
    emit('response.completed', { response: responseObject(context, { ...toFinalStatus(reason), output, usage: toResponsesUsage(usage) }) });
  };

  const convert = (event: AnswerEvent) => {
    switch (event.type) {
      case 'reasoning':
        return appendOrHold('reasoning', event.text);
      case 'text':
        return appendOrHold('message', event.text);
      case 'tool-call-start':
      case 'tool-call-delta':
      case 'tool-call-end':
        return onToolEvent(event);
      case 'finish':
        return finish(event.reason, event.usage);
      case 'error':
        ended = true;
        return emit('response.failed', { response: responseObject(context, { status: 'failed', output, error: toResponseError(event.error) }) });
      default:
        return;
    }
  };

  return {
    transform(events, sink) {
      if (ended) return;
      start();
      for (const event of events) {
        convert(event);
        if (ended) break;
      }
      send(sink);
    },
    flush(sink) {
      if (ended) return;
      start();
      finish(null, undefined);
      send(sink);
    },
  };
}
