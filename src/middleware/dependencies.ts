import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { databaseCall, redisCall } from "../dependencies/calls";
import { scopeOf } from "../dependencies/scope";

/**
 * Puts guarded access to the database and Redis on the context. Each call builds its client
 * bound to that attempt's signal; building one does no I/O (both are HTTP clients), so
 * routes that never touch a dependency pay nothing.
 *
 * @example
 * const product = await c.var.db((sql) => new ProductRepository(sql).get(id), { idempotent: true });
 */
export function dependencies(): MiddlewareHandler<AppEnv> {
  return async function dependencies(c, next) {
    const scope = scopeOf(c);
    c.set("db", databaseCall(scope));
    c.set("redis", redisCall(scope));
    await next();
  };
}
