/**
 * The errors of the resilient HTTP client besides the resilience policies' own
 * (`HttpStatusError` for an error status, `BrokenCircuitError`, timeouts…). None is
 * transient: each says something a retry cannot change. Each carries a marker field and
 * has an `isX()` guard, like the errors in src/resilience.
 */

/** The upstream answered, but not with the shape we expect: never trust upstream shapes. */
export class UpstreamShapeError extends Error {
  readonly isUpstreamShapeError = true as const;
  override readonly name = "UpstreamShapeError";
}

/** A response body is larger than the call's `maxBytes`: the read (or the stream) is ended. */
export class ResponseTooLargeError extends Error {
  readonly isResponseTooLargeError = true as const;
  override readonly name = "ResponseTooLargeError";

  constructor(readonly maxBytes: number) {
    super(`The response body is larger than ${String(maxBytes)} bytes`);
  }
}

/**
 * A request's path would leave its base URL (an absolute URL, `//host`, `..` above the
 * base path, a backslash), or a base URL is not one the client can use. Refused before
 * anything is sent.
 */
export class RequestTargetError extends Error {
  readonly isRequestTargetError = true as const;
  override readonly name = "RequestTargetError";
}

/** The client's outbound URL policy refused a request's URL; nothing was sent. */
export class OutboundUrlRefusedError extends Error {
  readonly isOutboundUrlRefusedError = true as const;
  override readonly name = "OutboundUrlRefusedError";

  constructor(readonly reason: string) {
    super(`Refused by the outbound URL policy: ${reason}`);
  }
}

export const isUpstreamShapeError = (error: unknown): error is UpstreamShapeError => hasMarker(error, "isUpstreamShapeError");
export const isResponseTooLargeError = (error: unknown): error is ResponseTooLargeError => hasMarker(error, "isResponseTooLargeError");
export const isRequestTargetError = (error: unknown): error is RequestTargetError => hasMarker(error, "isRequestTargetError");
export const isOutboundUrlRefusedError = (error: unknown): error is OutboundUrlRefusedError =>
  hasMarker(error, "isOutboundUrlRefusedError");

function hasMarker(error: unknown, marker: string): boolean {
  return typeof error === "object" && error !== null && (error as Record<string, unknown>)[marker] === true;
}
