/** A model cooling down, as the failure store reports it. */
export interface CoolingModel {
  model: string;
  cooldownUntil: number;
}

export interface Probe {
  model: string;
  /** Ends the probe, whatever its outcome; safe to call twice. */
  release(): void;
}

export interface ProbeGate {
  /**
   * Among models that could serve a request but are all cooling down, claims the one whose cooldown
   * ends soonest and is not already being probed. Undefined when every one is being probed.
   */
  claimSoonest(cooling: readonly CoolingModel[]): Probe | undefined;
  /** Models being probed now, with when each probe began (epoch ms). */
  inProgress(): { model: string; since: number }[];
}

/**
 * Half-open probing: when every model that could serve a request is cooling down, one request may try
 * the model that is due back first instead of being refused. At most one probe per model runs at a
 * time, so a burst of requests cannot hammer a model that is still failing.
 */
export function createProbeGate(options: { now: () => number }): ProbeGate {
  const probing = new Map<string, number>();
  return {
    claimSoonest(cooling) {
      const free = cooling.filter((entry) => !probing.has(entry.model));
      if (free.length === 0) return undefined;
      // Ties go to the model listed first: the caller passes them in priority order.
      const soonest = free.reduce((best, entry) => (entry.cooldownUntil < best.cooldownUntil ? entry : best));
      const since = options.now();
      probing.set(soonest.model, since);
      let released = false;
      return {
        model: soonest.model,
        release() {
          // A second call must not free a slot that a later probe of the same model has claimed since.
          if (released) return;
          released = true;
          probing.delete(soonest.model);
        },
      };
    },
    inProgress: () => [...probing].map(([model, since]) => ({ model, since })),
  };
}
