import {
  isAttemptTimeoutError,
  isBrokenCircuitError,
  isBulkheadRejectedError,
  isDeadlineExceededError,
} from "./errors";

/**
 * Which failures are *transient*: worth another attempt, and evidence that a dependency is
 * unhealthy. The default classifier of both the retry policy and the circuit breaker.
 *
 * Transient:
 * - a network failure: the `TypeError` fetch throws (Node: "fetch failed"; Workers: "Network
 *   connection lost." and the like), recognised by its message so that a programming error
 *   (`x is not a function`) is not retried;
 * - an HTTP status of 408, 429 or 5xx other than 501/505, carried as `status` or
 *   `statusCode` (see `HttpStatusError`), or in Neon's "Server error (HTTP status NNN)";
 * - Neon's "Error connecting to database" (its fetch failed), unless that failure was an abort;
 * - a timeout of one attempt: `AttemptTimeoutError`, or a `TimeoutError` raised inside it;
 * - a SQLSTATE that means the server could not run the statement *now*: class 08 (connection),
 *   class 53 (insufficient resources), 57P01–57P03 (shutting down / starting up), and
 *   40001/40P01 (serialization failure / deadlock: over Neon's HTTP API a call is a whole
 *   transaction, so repeating the call repeats the transaction, which is what these need).
 *
 * Never transient: any other SQLSTATE (23505 unique violation, 22P02 bad input, 42xxx syntax
 * or missing table, …: the same statement fails the same way), an `AbortError` (somebody
 * cancelled on purpose), our own refusals (open circuit, full bulkhead, deadline passed), and
 * anything unrecognised. The retry policy checks the *caller's* signal before calling this,
 * so an abort of the caller's own signal is never retried whatever this says.
 *
 * @example
 * isTransientError(new TypeError("fetch failed")); // true
 * isTransientError(Object.assign(new Error("duplicate key"), { name: "NeonDbError", code: "23505" })); // false
 */
export function isTransientError(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  if (isAttemptTimeoutError(error)) return true;
  if (isBrokenCircuitError(error) || isBulkheadRejectedError(error) || isDeadlineExceededError(error)) {
    return false;
  }
  if (isNamed(error, "AbortError")) return false;
  if (isNamed(error, "TimeoutError")) return true;
  const sqlState = sqlStateOf(error);
  if (sqlState !== undefined) return isTransientSqlState(sqlState);
  const status = httpStatusOf(error);
  if (status !== undefined) return isTransientStatus(status);
  if (isNamed(error, "NeonDbError")) return isNeonConnectionFailure(error);
  if (error instanceof TypeError) return NETWORK_FAILURE.test(error.message);
  // workerd rejects some failed connections with a plain Error ("Network connection lost.").
  if (error instanceof Error && error.constructor === Error) return NETWORK_FAILURE.test(error.message);
  return false;
}

/** True for HTTP statuses where the same request may succeed later. */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599 && status !== 501 && status !== 505);
}

/** True for the SQLSTATEs listed on {@link isTransientError}. */
export function isTransientSqlState(code: string): boolean {
  return (
    code.startsWith("08") ||
    code.startsWith("53") ||
    code === "57P01" ||
    code === "57P02" ||
    code === "57P03" ||
    code === "40001" ||
    code === "40P01"
  );
}

/**
 * The SQLSTATE of a database error (Neon's `NeonDbError`, or pg's `DatabaseError`, which
 * has a `severity`), or `undefined`. Other errors' `code`s (Node's `EPIPE`, …) are not
 * SQLSTATEs even when they happen to have five characters.
 */
export function sqlStateOf(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { code, name, severity } = error as { code?: unknown; name?: unknown; severity?: unknown };
  if (typeof code !== "string" || !SQLSTATE.test(code)) return undefined;
  return name === "NeonDbError" || typeof severity === "string" ? code : undefined;
}

/** The HTTP status an error carries (`status`, `statusCode`, or Neon's message), or `undefined`. */
export function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { status, statusCode, message } = error as { status?: unknown; statusCode?: unknown; message?: unknown };
  for (const candidate of [status, statusCode]) {
    if (typeof candidate === "number" && Number.isInteger(candidate) && candidate >= 100 && candidate <= 599) {
      return candidate;
    }
  }
  if (isNamed(error, "NeonDbError") && typeof message === "string") {
    const match = NEON_SERVER_ERROR.exec(message);
    if (match?.[1] !== undefined) return Number(match[1]);
  }
  return undefined;
}

/** The minimum wait an error asks for (`retryAfterMs`, e.g. from a Retry-After header), or `undefined`. */
export function retryAfterOf(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { retryAfterMs } = error as { retryAfterMs?: unknown };
  return typeof retryAfterMs === "number" && Number.isFinite(retryAfterMs) && retryAfterMs >= 0
    ? retryAfterMs
    : undefined;
}

/**
 * Parses a `Retry-After` header (RFC 9110: delay-seconds or an HTTP-date) into milliseconds
 * from `now`; `undefined` when absent or malformed.
 *
 * @example
 * parseRetryAfter("2", clock.now()); // 2000
 * parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", Date.parse("Wed, 21 Oct 2015 07:27:00 GMT")); // 60000
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value == null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  if (!/[a-z]/i.test(trimmed)) return undefined; // "1.5", "-3": neither form
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const SQLSTATE = /^[0-9A-Z]{5}$/;
const NEON_SERVER_ERROR = /^Server error \(HTTP status (\d{3})\)/;
/** Messages of fetch's network-failure TypeErrors in Node (undici) and workerd. */
const NETWORK_FAILURE =
  /fetch failed|network|connection (?:lost|reset|refused|closed)|socket|terminated|ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|EAI_AGAIN|UND_ERR/i;

function isNamed(error: object, name: string): boolean {
  return (error as { name?: unknown }).name === name;
}

/** Neon wraps its fetch's failure; an abort in there was a cancellation, not an outage. */
function isNeonConnectionFailure(error: object): boolean {
  const { message, sourceError } = error as { message?: unknown; sourceError?: unknown };
  if (typeof message !== "string" || !message.startsWith("Error connecting to database")) return false;
  return !(typeof sourceError === "object" && sourceError !== null && isNamed(sourceError, "AbortError"));
}
