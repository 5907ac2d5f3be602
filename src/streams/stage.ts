import type { Transformer } from 'node:stream/web';

/** Where a stage puts its output: a TransformStream's controller, or the next stage directly. */
export interface Sink<T> {
  enqueue(value: T): void;
}

/**
 * One synchronous conversion step: what a TransformStream stage does, without the stream. Every
 * stage here is synchronous, so a chain of them can run inside a single TransformStream.
 */
export interface Stage<I, O> {
  transform(chunk: I, sink: Sink<O>): void;
  flush?(sink: Sink<O>): void;
}

/** The TransformStream transformer that runs a stage. */
export function toTransformer<I, O>(stage: Stage<I, O>): Transformer<I, O> {
  return {
    transform: (chunk, controller) => stage.transform(chunk, controller),
    flush: (controller) => stage.flush?.(controller),
  };
}

/** Runs a stage (or a chain of stages) as one TransformStream. */
export function stageStream<I, O>(stage: Stage<I, O>): TransformStream<I, O> {
  return new TransformStream(toTransformer(stage));
}

/**
 * Two stages as one: `first`'s output goes straight into `second`. Each stage stays small and is
 * tested on its own, but a live stream pays for one set of queues, readers and promises instead of
 * one per stage (measured: see the README's benchmark section).
 */
export function chain<A, B, C>(first: Stage<A, B>, second: Stage<B, C>): Stage<A, C> {
  const into = (sink: Sink<C>): Sink<B> => ({ enqueue: (middle) => second.transform(middle, sink) });
  return {
    transform: (chunk, sink) => first.transform(chunk, into(sink)),
    flush(sink) {
      first.flush?.(into(sink));
      second.flush?.(sink);
    },
  };
}

/** The same stage, whose `flush` runs at most once however often it is called. */
export function flushOnce<I, O>(stage: Stage<I, O>): Stage<I, O> {
  let flushed = false;
  return {
    transform: (chunk, sink) => stage.transform(chunk, sink),
    flush(sink) {
      if (flushed) return;
      flushed = true;
      stage.flush?.(sink);
    },
  };
}
