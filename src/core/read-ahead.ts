// The commit point of a streamed answer, and the whole answer of a non-streamed one, both read from
// the upstream as answer events.
import { createAnswerFold, isContentEvent, type AnswerEvent, type CollectedAnswer } from '../chat/answer.ts';
import type { UpstreamAnswer } from '../openrouter/upstream-body.ts';

/**
 * Reads ahead to the first content event (what a client would see, not a bare role announcement) and
 * returns the batches read so far. Throws the answer's error if it fails before that, after letting
 * go of the upstream, so the attempt can fall back.
 */
export async function readToFirstContent(answer: UpstreamAnswer): Promise<AnswerEvent[][]> {
  const buffered: AnswerEvent[][] = [];
  for (let committed = false; !committed; ) {
    const batch = await answer.next();
    if (batch === undefined) break;
    for (const event of batch) {
      if (event.type === 'error') {
        await answer.cancel();
        throw event.error;
      }
      if (isContentEvent(event)) {
        committed = true;
        break;
      }
    }
    buffered.push(batch);
  }
  return buffered;
}

/**
 * Reads a whole answer inside the attempt, folding the events as they arrive (a long answer is never
 * held as events); an error anywhere fails the attempt, so it can still fall back.
 */
export async function collectWhole(answer: UpstreamAnswer, onFirstContent: () => void): Promise<CollectedAnswer> {
  const fold = createAnswerFold();
  let sawContent = false;
  for (let batch = await answer.next(); batch !== undefined; batch = await answer.next()) {
    for (const event of batch) {
      if (event.type === 'error') throw event.error;
      if (!sawContent && isContentEvent(event)) {
        sawContent = true;
        onFirstContent();
      }
    }
    fold.add(batch);
  }
  return fold.result();
}
