import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import type { Principal } from "../auth/principal";
import { readConfig } from "../config/config";
import { log } from "../observability/logger";
import { metrics } from "../observability/metrics-buffer";
import { RequestTelemetry } from "../observability/request-telemetry";
import { matchedRoute } from "./matched-route";

/**
 * Per request: a telemetry collector for the dependency guards, then, once the answer is
 * ready, the `Server-Timing` header (db, cache, upstream, total), one structured log line
 * (all of them, or a `LOG_SAMPLE_RATE` share of the successful ones)
 * (request id, route pattern, status, duration, dependency timings, cache result, breaker
 * states touched), the route's metrics in this isolate's buffer, and a data point for
 * Workers Analytics Engine when the binding exists. Nothing here waits on I/O: metrics
 * leave in batches through `waitUntil`.
 */
export function observability(): MiddlewareHandler<AppEnv> {
  return async function observability(c, next) {
    const config = readConfig(c.env);
    if (config.OBSERVABILITY === "off") return next();
    const started = performance.now();
    const telemetry = new RequestTelemetry(c.get("requestId"));
    c.set("telemetry", telemetry);
    try {
      await next();
    } finally {
      const ms = performance.now() - started;
      const route = matchedRoute(c)?.path ?? "(unmatched)";
      const status = c.res.status;
      // A WebSocket upgrade's headers belong to the runtime.
      if (status !== 101) setHeader(c, "Server-Timing", telemetry.serverTiming(ms));
      const { dependencies, breakers } = telemetry.summary();
      if (status >= 400 || config.LOG_SAMPLE_RATE >= 1 || Math.random() < config.LOG_SAMPLE_RATE) log(status >= 500 ? "error" : "info", "request", {
        requestId: c.get("requestId"),
        clientRequestId: c.get("clientRequestId"),
        // Who called: a key's visible prefix, never its secret.
        principal: principalLabel(c.get("principal")),
        method: c.req.method,
        route,
        status,
        durationMs: Math.round(ms * 10) / 10,
        cache: c.res.headers.get("X-Cache") ?? undefined,
        dependencies,
        breakers,
      });
      metrics.recordRequest(c.req.method, route, status, ms);
      c.env.ANALYTICS.writeDataPoint({ blobs: [c.req.method, route, String(status)], doubles: [ms, status], indexes: [route] });
      metrics.flushIfDue(c.env, (promise) => c.executionCtx.waitUntil(promise));
    }
  };
}

function principalLabel(principal: Principal | undefined): string | undefined {
  if (!principal) return undefined;
  return principal.kind === "key" ? principal.key.prefix : principal.kind;
}

/** Sets a header, on a copy when the response's headers are immutable (one a Durable Object made). */
function setHeader(c: Context<AppEnv>, name: string, value: string): void {
  try {
    c.res.headers.set(name, value);
  } catch {
    c.res = new Response(c.res.body, c.res);
    c.res.headers.set(name, value);
  }
}
