import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { databaseCall, redisCall } from "../dependencies/calls";
import type { DependencyScope } from "../dependencies/scope";

/**
 * Puts guarded access to the database and Redis on the context. Each call builds its client
 * bound to that attempt's signal; building one does no I/O (both are HTTP clients), so
 * routes that never touch a dependency pay nothing.
 *
 * @example
 * const product = await c.get("db")((sql) => new ProductRepository(sql).get(id), { idempotent: true });
 */
export function dependencies(): MiddlewareHandler<AppEnv> {
  return async function dependencies(c, next) {
    const scope = scopeOf(c);
    c.set("db", databaseCall(scope));
    c.set("redis", redisCall(scope));
    await next();
  };
}

/** The scope of an HTTP request: its bindings, its deadline, its execution context. */
export function scopeOf(c: Context<AppEnv>): DependencyScope {
  return { env: c.env, signal: c.get("signal"), waitUntil: (promise) => c.executionCtx.waitUntil(promise), telemetry: c.get("telemetry") };
}
