/**
 * Resilience policies for calls to dependencies: plain TypeScript, no I/O and no Workers
 * imports (zod, to read stored snapshots back, is the one library), time taken from an
 * injectable Clock.
 *
 * How src/dependencies/guard.ts composes them for one call, from outside in:
 *
 *   the request's deadline (or a tighter budget for optional work, `createDeadline`)
 *   → retry (idempotent calls, transient errors, within the retry budget, never sleeping
 *     past the deadline; each attempt under its own timeout)
 *   → bulkhead (bounded concurrency per isolate)
 *   → circuit breaker (one per dependency for the whole fleet, a `CircuitBreaker` in a
 *     Durable Object; each isolate decides from a cached `BreakerView` with `decideFromView`
 *     and reports how each call ended, an error judged by `verdictOf`)
 *   → the call, with the attempt's signal.
 *
 * The bulkhead sits outside the breaker so that, once a dependency starts failing, no more
 * calls reach it than the breaker's threshold. A BrokenCircuitError and a
 * BulkheadRejectedError are not retryable, so a refusal ends the call at once instead of
 * being retried.
 */
export { type Clock, systemClock } from "./clock";
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
  type DelaySequence,
  exponentialBackoff,
  exponentialCeiling,
  type ExponentialBackoffOptions,
  type RandomSource,
} from "./backoff";
export { type RetryBudget, retryBudget, type RetryBudgetOptions, type RetryBudgetStats } from "./retry-budget";
export {
  type GiveUpEvent,
  type GiveUpReason,
  retry,
  type RetryContext,
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
  CircuitBreaker,
  type CircuitBreakerOptions,
  type CircuitBreakerSnapshot,
  type CircuitState,
  type CircuitStateKind,
  type Outcome,
  type ProbeLease,
  type Ticket,
} from "./circuit-breaker";
export { type BreakerView, decideFromView, isNewerView, type Verdict, verdictOf, type ViewDecision } from "./breaker-view";
export { OutcomeBuffer, type OutcomeBufferOptions } from "./outcome-buffer";
export { anyOf } from "./any-of";
export { type Bulkhead, bulkhead, type BulkheadOptions } from "./bulkhead";
export { mapConcurrent, type Settled } from "./map-concurrent";
