import type { Sink, Stage } from './stage.ts';

/** One dispatched server-sent event. */
export interface SseEvent {
  data: string;
  event?: string;
  id?: string;
}

export interface SseParser {
  feed(chunk: string): void;
  /** Dispatches an event whose closing blank line never came (a stream cut short). */
  end(): void;
}

// No real event comes near this (a whole non-streamed answer fits in it); an upstream that never
// ends its line must not make the proxy buffer until V8's largest string, some 512 MB, is reached.
const MAX_EVENT_CHARS = 16 * 1024 * 1024;

const LF = 10;
const CR = 13;
const COLON = 58;
const SPACE = 32;

/**
 * A pure SSE parser (WHATWG HTML §9.2.6) that keeps its state in closures: the unfinished line and
 * the event being built. Comment lines go to `onComment`, so callers can tell keep-alives from data.
 * A line or event longer than `maxEventChars` throws a RangeError: the stream cannot be read.
 */
export function createSseParser(onEvent: (event: SseEvent) => void, onComment: (text: string) => void = () => {}, maxEventChars = MAX_EVENT_CHARS): SseParser {
  let pending = '';
  let dataLines: string[] = [];
  // Characters in the event being built: its data lines so far.
  let eventChars = 0;
  let eventType: string | undefined;
  let lastId: string | undefined;
  let skipLeadingLF = false;
  let atStart = true;

  function processLine(line: string): void {
    // "If the line is empty (a blank line): dispatch the event."
    if (line === '') return dispatch();
    // "If the line starts with a U+003A COLON character: ignore the line." (a comment)
    if (line.charCodeAt(0) === COLON) return onComment(line.slice(1).trimStart());
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    // "If value starts with a U+0020 SPACE character, remove it from value."
    const value = colon === -1 ? '' : line.slice(colon + (line.charCodeAt(colon + 1) === SPACE ? 2 : 1));
    if (field === 'data') {
      eventChars += value.length;
      if (eventChars > maxEventChars) throw tooLong(maxEventChars);
      dataLines.push(value);
    }
    else if (field === 'event') eventType = value;
    else if (field === 'id' && !value.includes('\0')) lastId = value;
  }

  function dispatch(): void {
    if (dataLines.length > 0) {
      const event: SseEvent = { data: dataLines.length === 1 ? (dataLines[0] as string) : dataLines.join('\n') };
      if (eventType !== undefined) event.event = eventType;
      if (lastId !== undefined) event.id = lastId;
      onEvent(event);
    }
    dataLines = [];
    eventChars = 0;
    eventType = undefined;
  }

  function feed(chunk: string): void {
    let start = 0;
    // "The UTF-8 decode algorithm strips one leading UTF-8 Byte Order Mark (BOM), if any."
    if (atStart && chunk.length > 0) {
      atStart = false;
      if (chunk.charCodeAt(0) === 0xfeff) start = 1;
    }
    // A CR that ended the previous chunk already closed its line; a LF right after it is the same break.
    if (skipLeadingLF && chunk.charCodeAt(start) === LF) start++;
    skipLeadingLF = false;
    let nextCR = chunk.indexOf('\r', start);
    while (start < chunk.length) {
      const nextLF = chunk.indexOf('\n', start);
      if (nextCR !== -1 && nextCR < start) nextCR = chunk.indexOf('\r', start);
      const end = nextCR !== -1 && (nextLF === -1 || nextCR < nextLF) ? nextCR : nextLF;
      if (end === -1) break;
      const line = pending === '' ? chunk.slice(start, end) : pending + chunk.slice(start, end);
      pending = '';
      // "Lines must be separated by either a CRLF pair, a single LF, or a single CR."
      if (chunk.charCodeAt(end) === CR && end + 1 === chunk.length) skipLeadingLF = true;
      start = chunk.charCodeAt(end) === CR && chunk.charCodeAt(end + 1) === LF ? end + 2 : end + 1;
      processLine(line);
    }
    if (start < chunk.length) pending += chunk.slice(start);
    if (pending.length + eventChars > maxEventChars) throw tooLong(maxEventChars);
  }

  function end(): void {
    if (pending !== '') processLine(pending);
    pending = '';
    dispatch();
  }

  return { feed, end };
}

function tooLong(maxChars: number): Error {
  return new RangeError(`an SSE line or event longer than ${maxChars / 1024 / 1024} MiB`);
}

/**
 * Decoded text in, SSE data events out, comments dropped. It emits the events of one text chunk as
 * one batch: a network read carries hundreds of events, and passing them on one at a time would
 * cost a promise hop per event in every later stage.
 */
export function sseEventStage(onComment?: (text: string) => void): Stage<string, SseEvent[]> {
  let batch: SseEvent[] = [];
  const parser = createSseParser((event) => batch.push(event), onComment);
  const emit = (sink: Sink<SseEvent[]>): void => {
    if (batch.length === 0) return;
    sink.enqueue(batch);
    batch = [];
  };
  return {
    transform(chunk, sink) {
      parser.feed(chunk);
      emit(sink);
    },
    flush(sink) {
      parser.end();
      emit(sink);
    },
  };
}
