// Counts client aborts and lets tests wait for one without racing the socket.

export interface AbortTracker {
  record(): void;
  count(): number;
  // True at the next abort not already claimed by an earlier wait; false after timeoutMs.
  wait(timeoutMs: number): Promise<boolean>;
  reset(): void;
  // Settles every pending wait with false and clears their timers.
  cancelAll(): void;
}

/** Creates a tracker in which each observed abort satisfies exactly one wait, even one that starts later. */
export function createAbortTracker(): AbortTracker {
  let total = 0;
  let unclaimed = 0;
  const waiters = new Set<(observed: boolean) => void>();
  return {
    record() {
      total++;
      const [first] = waiters;
      if (first === undefined) unclaimed++;
      else first(true);
    },
    count: () => total,
    wait(timeoutMs) {
      if (unclaimed > 0) {
        unclaimed--;
        return Promise.resolve(true);
      }
      return new Promise((resolve) => {
        const settle = (observed: boolean): void => {
          clearTimeout(timer);
          waiters.delete(settle);
          resolve(observed);
        };
        const timer = setTimeout(() => settle(false), timeoutMs);
        waiters.add(settle);
      });
    },
    reset() {
      total = 0;
      unclaimed = 0;
    },
    cancelAll() {
      for (const settle of [...waiters]) settle(false);
    },
  };
}
