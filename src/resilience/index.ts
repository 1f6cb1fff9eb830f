/**
 * Resilience policies for calls to dependencies: plain TypeScript, no I/O and no runtime
 * imports, time taken from an injectable Clock. The usual composition for one call, from
 * outside in:
 *
 *   retry (whole-call deadline, budget) → circuit breaker (fail fast while the dependency
 *   is down) → bulkhead (bounded concurrency) → the call, with the attempt's signal.
 *
 * A BrokenCircuitError and a BulkheadRejectedError are not retryable, so a refusal ends
 * the call at once instead of being retried.
 *
 * @example
 * const result = await neonRetry.execute(
 *   ({ signal }) => neonBreaker.execute(({ signal }) => neonBulkhead.execute(({ signal }) => query(signal), signal), signal),
 *   c.get("signal"),
 * );
 */
export { type Clock, ManualClock, systemClock } from "./clock";
export {
  AttemptTimeoutError,
  BrokenCircuitError,
  BulkheadRejectedError,
  DeadlineExceededError,
  HttpStatusError,
  isAttemptTimeoutError,
  isBrokenCircuitError,
  isBulkheadRejectedError,
  isDeadlineExceededError,
  isHttpStatusError,
  type RejectingState,
} from "./errors";
export {
  httpStatusOf,
  isTransientError,
  isTransientSqlState,
  isTransientStatus,
  parseRetryAfter,
  retryAfterOf,
  sqlStateOf,
} from "./classify";
export { abortReason, raceAbort } from "./signal";
export { createDeadline, type Deadline, deadlineOf } from "./deadline";
export {
  type Backoff,
  constantBackoff,
  type DelaySequence,
  exponentialBackoff,
  exponentialCeiling,
  type ExponentialBackoffOptions,
  type Jitter,
  type RandomSource,
} from "./backoff";
export { type RetryBudget, retryBudget, type RetryBudgetOptions, type RetryBudgetStats } from "./retry-budget";
export {
  type GiveUpEvent,
  type GiveUpReason,
  retry,
  type RetryContext,
  type RetryCounters,
  type RetryEvent,
  type RetryExecuteOptions,
  type RetryOptions,
  type RetryPolicy,
} from "./retry";
export {
  ConsecutiveFailures,
  FailureRate,
  type FailureRateOptions,
  type OutcomeCounts,
  type StrategySnapshot,
  type TripStrategy,
} from "./breaker-strategy";
export {
  type Admission,
  type BreakerCounters,
  type BreakerView,
  CircuitBreaker,
  circuitBreaker,
  type CircuitBreakerOptions,
  type CircuitBreakerSnapshot,
  type CircuitState,
  type CircuitStateKind,
  type Outcome,
  type ProbeLease,
  type StateChange,
  type Ticket,
} from "./circuit-breaker";
export { decideFromView, isNewerView, type ViewDecision } from "./breaker-view";
export { OutcomeBuffer, type OutcomeBufferOptions } from "./outcome-buffer";
export { anyOf } from "./any-of";
export { type Bulkhead, bulkhead, type BulkheadOptions } from "./bulkhead";
export { mapConcurrent, type Settled } from "./map-concurrent";
