/**
 * The errors the resilience policies throw. Each carries a marker field (`isXError: true`)
 * and has an `isXError()` guard that checks the marker rather than `instanceof`: the guard
 * still works when two copies of this module end up in a bundle, and on plain objects
 * rebuilt from JSON. (Errors do not cross Durable Object RPC with their fields intact: a
 * Durable Object should return plain data, and the isolate build the error from it.)
 *
 * Deadlines: when the caller's AbortSignal fires, the policies reject with the *signal's
 * reason* (for `AbortSignal.timeout()`, a `TimeoutError` DOMException, which the app's error
 * handler already maps to 504), never with an error of their own. {@link DeadlineExceededError}
 * is only for a deadline given as an absolute time (`deadlineAt`) that passed with no signal
 * to say so.
 */

/** Which breaker state refused a call. */
export type RejectingState = "OPEN" | "HALF_OPEN" | "FORCED_OPEN";

/**
 * A circuit breaker refused the call without trying the dependency.
 *
 * @example
 * if (isBrokenCircuitError(error)) {
 *   return problem503(`${error.dependency} unavailable`, { "Retry-After": Math.ceil(error.retryAfterMs / 1000) });
 * }
 */
export class BrokenCircuitError extends Error {
  readonly isBrokenCircuitError = true as const;
  override readonly name = "BrokenCircuitError";

  constructor(
    /** The dependency whose circuit is open, e.g. `"neon"`. */
    readonly dependency: string,
    /** When it is worth trying again; a hint for a `Retry-After` header. */
    readonly retryAfterMs: number,
    readonly state: RejectingState = "OPEN",
  ) {
    super(`Circuit for ${dependency} is ${state}; retry after ${Math.ceil(retryAfterMs)} ms`);
  }
}

/** Both the bulkhead's slots and its wait queue were full: the call was refused at once. */
export class BulkheadRejectedError extends Error {
  readonly isBulkheadRejectedError = true as const;
  override readonly name = "BulkheadRejectedError";

  constructor(
    readonly maxConcurrent: number,
    readonly maxQueue: number,
  ) {
    super(`Bulkhead full: ${maxConcurrent} running and ${maxQueue} queued`);
  }
}

/**
 * The absolute deadline (`deadlineAt`) handed to a policy passed. Not retryable: the caller
 * has no time left.
 */
export class DeadlineExceededError extends Error {
  readonly isDeadlineExceededError = true as const;
  override readonly name = "DeadlineExceededError";

  constructor(readonly deadlineAt: number) {
    super(`Deadline exceeded (deadlineAt ${deadlineAt})`);
  }
}

/**
 * One attempt of a retry policy ran past its own `attemptTimeoutMs`. Retryable: a later
 * attempt may be faster, and the caller's deadline still bounds the whole.
 */
export class AttemptTimeoutError extends Error {
  readonly isAttemptTimeoutError = true as const;
  override readonly name = "AttemptTimeoutError";

  constructor(readonly timeoutMs: number) {
    super(`Attempt timed out after ${timeoutMs} ms`);
  }
}

/**
 * An upstream answered with an HTTP error status. For fetch-based clients: throw it from a
 * non-ok response so the retry classifier sees `status` and a `Retry-After` hint.
 *
 * @example
 * if (!res.ok) {
 *   throw new HttpStatusError(res.status, { retryAfterMs: parseRetryAfter(res.headers.get("retry-after"), clock.now()) });
 * }
 */
export class HttpStatusError extends Error {
  readonly isHttpStatusError = true as const;
  override readonly name = "HttpStatusError";
  readonly retryAfterMs: number | undefined;

  constructor(
    readonly status: number,
    options: { retryAfterMs?: number | undefined; message?: string; cause?: unknown } = {},
  ) {
    super(options.message ?? `Upstream responded ${status}`, { cause: options.cause });
    this.retryAfterMs = options.retryAfterMs;
  }
}

export function isBrokenCircuitError(error: unknown): error is BrokenCircuitError {
  return hasMarker(error, "isBrokenCircuitError");
}

export function isBulkheadRejectedError(error: unknown): error is BulkheadRejectedError {
  return hasMarker(error, "isBulkheadRejectedError");
}

export function isDeadlineExceededError(error: unknown): error is DeadlineExceededError {
  return hasMarker(error, "isDeadlineExceededError");
}

export function isAttemptTimeoutError(error: unknown): error is AttemptTimeoutError {
  return hasMarker(error, "isAttemptTimeoutError");
}

export function isHttpStatusError(error: unknown): error is HttpStatusError {
  return hasMarker(error, "isHttpStatusError");
}

function hasMarker(error: unknown, marker: string): boolean {
  return typeof error === "object" && error !== null && (error as Record<string, unknown>)[marker] === true;
}
