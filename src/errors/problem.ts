import type { ContentfulStatusCode } from "hono/utils/http-status";
import { problemType, SERVICE_NAME } from "../config/service";

/** The members of an RFC 9457 problem details object, plus extension members. */
export interface ProblemDetails {
  type?: string;
  title: string;
  status: ContentfulStatusCode;
  detail?: string;
  [extension: string]: unknown;
}

/**
 * An expected failure, thrown anywhere and rendered by the app's one `onError` as
 * `application/problem+json`. Its `detail` is shown to clients, so it must never carry
 * internals (SQL, stack traces, connection strings).
 */
export class Problem extends Error {
  readonly isProblem = true;
  readonly details: ProblemDetails;
  readonly headers: Record<string, string>;

  constructor(details: ProblemDetails, options?: { headers?: Record<string, string>; cause?: unknown }) {
    super(details.detail ?? details.title, { cause: options?.cause });
    this.name = "Problem";
    this.details = details;
    this.headers = options?.headers ?? {};
  }
}

export function isProblem(error: unknown): error is Problem {
  return error instanceof Error && (error as Partial<Problem>).isProblem === true;
}

/** One failing input field, as reported in a 400 problem's `errors` member. */
export interface FieldError {
  /** Where the value came from: `body`, `query`, `param` or `header`. */
  in: string;
  /** Dotted path of the field, e.g. `price_cents` or `items.0.name`. */
  field: string;
  message: string;
}

/**
 * Problem types with more meaning than their status code. The others use `about:blank`,
 * whose title is, by RFC 9457, the status code's reason phrase.
 */
export const PROBLEM_TYPES = {
  validation: problemType("validation"),
  conflict: problemType("conflict"),
  timeout: problemType("timeout"),
  dependencyUnavailable: problemType("dependency-unavailable"),
  overloaded: problemType("overloaded"),
  unauthorized: problemType("unauthorized"),
  forbidden: problemType("forbidden"),
} as const;

/** RFC 6750's challenge: which scheme, and (for a 403) which scope was missing. */
const challenge = (extra = "") => `Bearer realm="${SERVICE_NAME}"${extra}`;

export const problems = {
  validation: (errors: FieldError[]) =>
    new Problem({
      type: PROBLEM_TYPES.validation,
      title: "Invalid request",
      status: 400,
      detail: errors.map((e) => `${e.field}: ${e.message}`).join("; "),
      errors,
    }),
  badRequest: (detail: string) => new Problem({ title: "Bad Request", status: 400, detail }),
  /** No credential where one is needed, or one that is not valid (401). */
  unauthorized: (detail: string) =>
    new Problem(
      { type: PROBLEM_TYPES.unauthorized, title: "Unauthorized", status: 401, detail },
      { headers: { "WWW-Authenticate": challenge(), "Cache-Control": "no-store" } },
    ),
  /** A valid credential without the scope the route needs (403). */
  forbidden: (scope: string) =>
    new Problem(
      { type: PROBLEM_TYPES.forbidden, title: "Forbidden", status: 403, detail: `This needs an API key with the "${scope}" scope.`, scope },
      { headers: { "WWW-Authenticate": challenge(`, error="insufficient_scope", scope="${scope}"`), "Cache-Control": "no-store" } },
    ),
  notFound: (detail = "The requested resource does not exist.") =>
    new Problem({ title: "Not Found", status: 404, detail }),
  methodNotAllowed: (allowed: string[]) =>
    new Problem(
      { title: "Method Not Allowed", status: 405, detail: `Allowed methods: ${allowed.join(", ")}.` },
      { headers: { Allow: allowed.join(", ") } },
    ),
  conflict: (detail: string) =>
    new Problem({ type: PROBLEM_TYPES.conflict, title: "Conflict", status: 409, detail }),
  payloadTooLarge: (maxBytes: number) =>
    new Problem({
      title: "Content Too Large",
      status: 413,
      detail: `The request body exceeds the limit of ${maxBytes} bytes.`,
    }),
  timeout: () =>
    new Problem({
      type: PROBLEM_TYPES.timeout,
      title: "Gateway Timeout",
      status: 504,
      detail: "The request did not complete within its time budget.",
    }),
  /** A dependency is known to be down (its circuit is open): fail fast, say when to retry. */
  dependencyUnavailable: (dependency: string, why: string, retryAfterSeconds: number) =>
    new Problem(
      {
        type: PROBLEM_TYPES.dependencyUnavailable,
        title: "Service Unavailable",
        status: 503,
        detail: `A dependency (${dependency}) is unavailable: ${why}. Retry after ${retryAfterSeconds} s.`,
        dependency,
      },
      { headers: { "Retry-After": String(retryAfterSeconds) } },
    ),
  /** This isolate's bulkhead for a dependency is full. */
  overloaded: () =>
    new Problem(
      {
        type: PROBLEM_TYPES.overloaded,
        title: "Service Unavailable",
        status: 503,
        detail: "Too many requests are waiting on a dependency; retry shortly.",
      },
      { headers: { "Retry-After": "1" } },
    ),
  internal: () =>
    new Problem({
      title: "Internal Server Error",
      status: 500,
      detail: "An unexpected error occurred. Quote the request id when reporting it.",
    }),
};
