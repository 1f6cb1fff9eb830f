import type { Context, ErrorHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "../app-env";
import { isUniqueViolation } from "../data/database";
import { ConflictError, NotFoundError } from "../data/errors";
import { isDependencyUnavailableError } from "../dependencies/errors";
import { isAttemptTimeoutError, isBrokenCircuitError, isBulkheadRejectedError, isDeadlineExceededError } from "../resilience";
import { isProblem, Problem, problems } from "./problem";
import { log } from "../observability/logger";

/**
 * The app's one error boundary: every failure leaves as `application/problem+json`
 * (RFC 9457). Expected failures are `Problem`s; anything else is logged with the request id
 * and answered with a generic 500 so no stack, SQL or secret reaches the client.
 */
export const onError: ErrorHandler<AppEnv> = (error, c) => {
  const problem = toProblem(error, c);
  if (problem.details.status >= 500) logFailure(c, error, problem);
  return problemResponse(c, problem);
};

/** Renders a problem; also used for 404s and 405s, which are not thrown. */
export function problemResponse(c: Context<AppEnv>, problem: Problem): Response {
  const body = {
    type: "about:blank",
    ...problem.details,
    instance: c.req.path,
    requestId: c.get("requestId"),
  };
  return c.json(body, problem.details.status, {
    ...problem.headers,
    "Content-Type": "application/problem+json",
  });
}

function toProblem(error: unknown, c: Context<AppEnv>): Problem {
  if (isProblem(error)) return error;
  // The request's deadline fired: whatever the callee threw, the cause is the budget.
  // Unset when the failure came before the deadline middleware ran.
  const signal = c.get("signal") as AbortSignal | undefined;
  if (signal?.aborted && isTimeout(signal.reason)) return problems.timeout();
  if (isBrokenCircuitError(error)) {
    const seconds = Math.max(1, Math.ceil(error.retryAfterMs / 1000));
    return problems.dependencyUnavailable(error.dependency, `its circuit is ${error.state}`, seconds);
  }
  if (isDependencyUnavailableError(error)) return problems.dependencyUnavailable(error.dependency, "it is failing", 1);
  if (isBulkheadRejectedError(error)) return problems.overloaded();
  if (isDeadlineExceededError(error) || isAttemptTimeoutError(error)) return problems.timeout();
  if (error instanceof ConflictError) return problems.conflict(error.message);
  if (error instanceof NotFoundError) return problems.notFound(error.message);
  if (isUniqueViolation(error)) {
    return problems.conflict("A resource with the same unique value already exists.");
  }
  if (error instanceof HTTPException) {
    // Hono's own exceptions (malformed JSON: 400, wrong Content-Type: 415) carry
    // client-safe messages.
    return new Problem({ title: statusTitle(error.status), status: error.status, detail: error.message });
  }
  return problems.internal();
}

const STATUS_TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
};

/** RFC 9457: with type about:blank, the title is the status code's reason phrase. */
const statusTitle = (status: number) => STATUS_TITLES[status] ?? (status >= 500 ? "Server Error" : "Request Failed");

function isTimeout(reason: unknown): boolean {
  return reason instanceof DOMException && reason.name === "TimeoutError";
}

function logFailure(c: Context<AppEnv>, error: unknown, problem: Problem): void {
  const err = error instanceof Error ? error : new Error(String(error));
  log("error", "request failed", {
    requestId: c.get("requestId"),
    method: c.req.method,
    path: c.req.path,
    status: problem.details.status,
    error: { name: err.name, message: err.message, code: (err as { code?: unknown }).code },
  });
}
