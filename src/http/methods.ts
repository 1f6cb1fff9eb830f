/** The methods the resilient HTTP client sends. */
export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/**
 * RFC 9110 §9.2.2: sending one of these twice has the effect of sending it once. POST and
 * PATCH are not: a repeat may create or change something twice.
 */
const IDEMPOTENT: ReadonlySet<HttpMethod> = new Set<HttpMethod>(["GET", "HEAD", "PUT", "DELETE", "OPTIONS"]);

export const isIdempotentMethod = (method: HttpMethod): boolean => IDEMPOTENT.has(method);

/**
 * Whether a request may reach the upstream more than once: retried after a transient
 * failure, or sent to a second base URL after the first may already have received it. An
 * idempotent method may; a POST or PATCH only with an `Idempotency-Key`, which lets the
 * receiver drop a repeat of a request it already took.
 *
 * @example
 * mayRepeat("GET");                  // true
 * mayRepeat("POST");                 // false
 * mayRepeat("POST", "job-42");       // true
 */
export function mayRepeat(method: HttpMethod, idempotencyKey?: string): boolean {
  return isIdempotentMethod(method) || (idempotencyKey !== undefined && idempotencyKey !== "");
}
