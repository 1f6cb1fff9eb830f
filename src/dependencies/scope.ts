import type { Context } from "hono";
import type { AppEnv, Bindings } from "../env";
import type { RequestTelemetry } from "../observability/request-telemetry";

/**
 * What a guarded call needs from whoever makes it: the bindings, the signal that bounds the
 * work (a request's deadline, or a job's), and `waitUntil` for the breaker's background
 * reports. A request and a queue consumer both provide one, so data access and the HTTP
 * client are the same code in routes and in jobs.
 */
export interface DependencyScope {
  env: Bindings;
  signal: AbortSignal;
  waitUntil(promise: Promise<unknown>): void;
  /** The request's collector of dependency timings, when a request makes the calls. */
  telemetry?: RequestTelemetry;
}

/** The scope of an HTTP request: its bindings, its deadline, its execution context. */
export function scopeOf(c: Context<AppEnv>): DependencyScope {
  return { env: c.env, signal: c.var.signal, waitUntil: (promise) => c.executionCtx.waitUntil(promise), telemetry: c.var.telemetry };
}
