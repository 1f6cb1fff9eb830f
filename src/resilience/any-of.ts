import type { OutcomeCounts, StrategySnapshot, TripStrategy } from "./breaker-strategy";

/**
 * Opens when any of its strategies would: e.g. N failures in a row *or* a failure rate over
 * a window, the first reacting fast to a dead dependency, the second to a flaky one.
 * Every strategy sees every outcome, so each keeps its own counts right.
 *
 * @example
 * anyOf(new ConsecutiveFailures(5), new FailureRate({ threshold: 0.5, minThroughput: 20, windowMs: 30_000 }))
 */
export function anyOf(...strategies: TripStrategy[]): TripStrategy {
  return {
    record(outcome: OutcomeCounts, now: number): boolean {
      let trip = false;
      for (const strategy of strategies) trip = strategy.record(outcome, now) || trip;
      return trip;
    },
    reset() {
      for (const strategy of strategies) strategy.reset();
    },
    toJSON(): StrategySnapshot {
      return { kind: "anyOf", parts: strategies.map((strategy) => strategy.toJSON()) };
    },
    restore(snapshot: unknown): boolean {
      const parts = (snapshot as { kind?: unknown; parts?: unknown } | null)?.parts;
      const ok =
        (snapshot as { kind?: unknown } | null)?.kind === "anyOf" &&
        Array.isArray(parts) &&
        parts.length === strategies.length &&
        strategies.every((strategy, i) => strategy.restore(parts[i]));
      if (!ok) for (const strategy of strategies) strategy.reset();
      return ok;
    },
  };
}
