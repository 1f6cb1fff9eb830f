import { isTransientError } from "./classify";
import {
  isAttemptTimeoutError,
  isBrokenCircuitError,
  isBulkheadRejectedError,
  isDeadlineExceededError,
  type RejectingState,
} from "./errors";

/** The states a circuit can be in (circuit-breaker.ts's `CircuitState`, by its `kind`). */
export type CircuitStateKind = "CLOSED" | "OPEN" | "HALF_OPEN" | "FORCED_OPEN" | "FORCED_CLOSED";

/**
 * What an isolate caches to decide locally, without asking the Durable Object, whether to
 * call a dependency (see {@link decideFromView}). The breaker decides from its own view too,
 * so both sides judge a state the same way.
 */
export interface BreakerView {
  dependency: string;
  state: CircuitStateKind;
  /** Keep the view with the highest version: responses can arrive out of order. */
  version: number;
  /** OPEN: when probes will be admitted (absolute ms); otherwise null. */
  openUntil: number | null;
  /** As of `at`, how long a refused caller should wait (0 when calls pass). */
  retryAfterMs: number;
  /** When the view was taken (the breaker's clock). */
  at: number;
}

/**
 * What to do with a call, judging from a {@link BreakerView}:
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
 * Decides a call from a view at time `now`. Pure: an isolate applies it to its cached view
 * (refreshed on its own schedule, keeping the highest `version`), and `CircuitBreaker.tryAcquire`
 * to its current one before handing out probe slots.
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

/** What an admitted call's end says about the dependency: the breaker's `success`, `failure` or `release`. */
export type Verdict = "success" | "failure" | "release";

/**
 * The verdict on an admitted call that threw `error`, given its caller's signal (the
 * request's) and its attempt's (which also aborts on the attempt's own timeout):
 * - the caller left or ran out of time: `release`, nothing was learnt;
 * - the attempt timed out (`AttemptTimeoutError`: the dependency was too slow), or the
 *   error is transient: `failure`;
 * - a cancellation, an exceeded deadline, or a refusal by a local policy: `release`;
 * - any other error: `success`, the dependency did answer (a constraint violation, a 404).
 *
 * @example
 * breakerClient.complete(name, permit, verdictOf(error, { caller: requestSignal, attempt: signal }), ctx);
 */
export function verdictOf(error: unknown, signals: { caller?: AbortSignal; attempt?: AbortSignal } = {}): Verdict {
  if (signals.caller?.aborted) return "release";
  // Once the attempt was aborted, whatever the call threw (Neon wraps the abort in an error
  // of its own) was caused by the abort: judge that.
  const cause: unknown = signals.attempt?.aborted ? signals.attempt.reason : error;
  // Before the abort cases: a timed-out attempt arrives as an abort, yet it is evidence
  // against the dependency.
  if (isAttemptTimeoutError(cause)) return "failure";
  if (isDeadlineExceededError(cause) || isBulkheadRejectedError(cause) || isBrokenCircuitError(cause)) return "release";
  if ((cause as { name?: unknown } | null)?.name === "AbortError") return "release";
  return isTransientError(cause) ? "failure" : "success";
}
