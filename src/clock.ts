// The clock the app runs on. Injected everywhere (tests use a fixed one); this module imports nothing.

/** Monotonic milliseconds (for durations) and wall-clock milliseconds (for timestamps). */
export interface Clock {
  monotonic(): number;
  wall(): number;
}

/** The real clock. */
export const systemClock: Clock = { monotonic: () => performance.now(), wall: () => Date.now() };
