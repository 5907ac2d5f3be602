// Responses stream checks shared by the dialect's unit tests and the wire-level tests.
import assert from 'node:assert/strict';

export interface ResponsesEvent {
  type: string;
  output_index?: number;
  item?: { type: string; call_id?: string; name?: string; arguments?: string };
  delta?: string;
  arguments?: string;
}

/** The `data:` objects of a Responses SSE body, in order. */
export function responsesEvents(body: string): ResponsesEvent[] {
  return body.split('\n').filter((line) => line.startsWith('data: ')).map((line) => JSON.parse(line.slice('data: '.length)) as ResponsesEvent);
}

/**
 * OpenAI's order, which clients that keep one "current item" (pi) rely on: an item's events all come
 * between its `output_item.added` and its `output_item.done`, and the next item is added only after.
 */
export function assertOneItemAtATime(events: Array<{ type: string; output_index?: number }>, failed = false): void {
  let open: number | undefined;
  for (const event of events) {
    if (event.output_index === undefined) continue;
    if (event.type === 'response.output_item.added') {
      assert.equal(open, undefined, `item ${event.output_index} added while item ${open} is open`);
      open = event.output_index;
      continue;
    }
    assert.equal(event.output_index, open, `${event.type} for item ${event.output_index} while item ${open} is open`);
    if (event.type === 'response.output_item.done') open = undefined;
  }
  // A failed response may end in the middle of an item.
  if (!failed) assert.equal(open, undefined, 'an item was never done');
}
