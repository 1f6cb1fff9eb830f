import type { CircuitStateKind } from "../resilience";
import { windowTotals, type MinuteCounts } from "../observability/recent";
import type { AlertRule } from "./rules";
import type { Observation } from "./evaluate";

/** What the metrics object last heard of a breaker: its state and the version that set it. */
export interface BreakerState {
  state: CircuitStateKind;
  version: number;
}

export interface AlertInputs {
  /** The metrics object's per-minute counts. */
  recent: readonly MinuteCounts[];
  /** By dependency; one never heard of is closed. */
  breakers: Readonly<Record<string, BreakerState>>;
}

/** States in which a breaker keeps calls from its dependency (HALF_OPEN lets probes only). */
const NOT_CLOSED: ReadonlySet<CircuitStateKind> = new Set<CircuitStateKind>(["OPEN", "HALF_OPEN", "FORCED_OPEN"]);

const percent = (ratio: number) => `${String(Math.round(ratio * 10_000) / 100)} %`;

/**
 * What each rule sees at `now`. A breaker counts as open from OPEN until it is CLOSED again
 * (HALF_OPEN included), so the OPEN ↔ HALF_OPEN turns of an outage are one episode.
 */
export function observe(rules: readonly AlertRule[], inputs: AlertInputs, now: number): Observation[] {
  return rules.map((rule): Observation => {
    switch (rule.kind) {
      case "breaker": {
        const state = inputs.breakers[rule.dependency]?.state ?? "CLOSED";
        return { id: rule.id, breached: NOT_CLOSED.has(state), message: `The ${rule.dependency} circuit breaker is ${state}.` };
      }
      case "5xx-ratio": {
        const { requests, serverErrors } = windowTotals(inputs.recent, now, rule.windowMinutes);
        const ratio = requests === 0 ? 0 : serverErrors / requests;
        return {
          id: rule.id,
          breached: requests >= rule.minRequests && ratio > rule.ratio,
          value: Math.round(ratio * 10_000) / 10_000,
          message: `${percent(ratio)} of ${String(requests)} answers were 5xx in the last ${String(rule.windowMinutes)} min (threshold ${percent(rule.ratio)}).`,
        };
      }
      case "dead-letters": {
        const { dead } = windowTotals(inputs.recent, now, rule.windowMinutes);
        return {
          id: rule.id,
          breached: dead > rule.max,
          value: dead,
          message: `${String(dead)} jobs ended dead in the last ${String(rule.windowMinutes)} min (threshold ${String(rule.max)}).`,
        };
      }
    }
  });
}
