import type { Bindings } from "../env";
import type { RequestTelemetry } from "../observability/request-telemetry";

/**
 * What a guarded call needs from whoever makes it: the bindings, the signal that bounds the
 * work (a request's deadline, or a job's), and `waitUntil` for background work (the
 * breaker's reports, batched statistics). A request (`scopeOf(c)`, in the middleware) and a
 * queue consumer both provide one, so data access, the cache and the HTTP client are the
 * same code in routes and in jobs.
 */
export interface DependencyScope {
  env: Bindings;
  signal: AbortSignal;
  waitUntil(promise: Promise<unknown>): void;
  /** The request's collector of dependency timings, when a request makes the calls. */
  telemetry?: RequestTelemetry;
}
