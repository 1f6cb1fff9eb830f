import type { BreakerView } from "./circuit-breaker";
import type { RejectingState } from "./errors";

/**
 * What an isolate should do with a call, judging from its cached {@link BreakerView}:
 * - `call`: go ahead, and report the outcome in the next batch (`recordOutcomes`);
 * - `claim`: ask the Durable Object for a ticket (`tryAcquire`) first: the circuit is
 *   HALF_OPEN, or its break is over and only the DO may hand out the probe slots;
 * - `reject`: fail fast with a `BrokenCircuitError` built from `retryAfterMs` and `state`,
 *   without contacting anyone.
 */
export type ViewDecision =
  | { action: "call" }
  | { action: "claim" }
  | { action: "reject"; state: RejectingState; retryAfterMs: number };

/**
 * Decides a call from a cached view at time `now` (the isolate's clock). Pure: the isolate
 * refreshes its view on its own schedule, and keeps the one with the highest `version`.
 *
 * @example
 * const decision = decideFromView(view, clock.now());
 * if (decision.action === "reject") throw new BrokenCircuitError(view.dependency, decision.retryAfterMs, decision.state);
 */
export function decideFromView(view: BreakerView, now: number): ViewDecision {
  switch (view.state) {
    case "CLOSED":
    case "FORCED_CLOSED":
      return { action: "call" };
    case "FORCED_OPEN":
      return { action: "reject", state: "FORCED_OPEN", retryAfterMs: view.retryAfterMs };
    case "OPEN":
      if (view.openUntil !== null && now < view.openUntil) {
        return { action: "reject", state: "OPEN", retryAfterMs: view.openUntil - now };
      }
      return { action: "claim" };
    case "HALF_OPEN":
      return { action: "claim" };
  }
}

/**
 * Whether `candidate` should replace `current` in an isolate's cache: views arrive from
 * concurrent requests in any order, and only a newer state may win.
 *
 * @example
 * if (isNewerView(fresh, cached)) cached = fresh;
 */
export function isNewerView(candidate: BreakerView, current: BreakerView | undefined): boolean {
  if (!current) return true;
  return candidate.version > current.version || (candidate.version === current.version && candidate.at > current.at);
}
