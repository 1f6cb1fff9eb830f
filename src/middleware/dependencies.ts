import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { createDatabase } from "../data/database";
import { createRedis } from "../data/redis";

/**
 * Puts the request's database and Redis clients on the context, bound to the request's
 * signal. Creating them does no I/O (both are HTTP clients), so routes that never touch a
 * dependency pay nothing.
 */
export function dependencies(): MiddlewareHandler<AppEnv> {
  return async function dependencies(c, next) {
    const signal = c.get("signal");
    c.set("db", createDatabase(c.env, signal));
    c.set("redis", createRedis(c.env, signal));
    await next();
  };
}
