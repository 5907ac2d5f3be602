// The first request out after an account limit lifts goes alone. Requests that waited for the
// per-minute free-model cap are released together when it lifts; if the cap is hit again at once
// (other apps share the account), each of them would spend an upstream request on a 429. So the
// first one out probes, the others wait for its outcome: an answer lets them all go; another 429 sets
// a new reset time, which they wait for without sending anything.

export interface LiftGate {
  /**
   * Called by a request that waited for the limit that lifted at `resetAt`. Resolves with a release
   * when this request is the first out (call it once its attempt has an outcome, after recording
   * it), or with undefined once the first one's outcome is in (check the limit again, then go).
   */
  pass(resetAt: number, signal: AbortSignal): Promise<(() => void) | undefined>;
}

/** Builds the gate of one app; it remembers only the latest lift. */
export function createLiftGate(): LiftGate {
  let lift: { resetAt: number; settled: Promise<void>; done: boolean } | undefined;
  return {
    async pass(resetAt, signal) {
      if (lift === undefined || lift.resetAt !== resetAt) {
        let settle = () => {};
        const current = { resetAt, settled: new Promise<void>((resolve) => (settle = resolve)), done: false };
        lift = current;
        return () => {
          current.done = true;
          settle();
        };
      }
      if (!lift.done) await abortable(lift.settled, signal);
      return undefined;
    },
  };
}

function abortable(promise: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    void promise.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}
