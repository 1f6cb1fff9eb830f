import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";

/**
 * Names the cache entry a route will read, before the rate limiter runs, so the limiter's
 * round trip to Redis carries the read (and, on a miss, the loader's lock, with the entry's
 * stale copy if it has one) along: a cache hit then costs one Upstash request instead of
 * two, and a stale answer during a database outage needs no read of its own. The route reads it through
 * `new Cache(scope, c.get("cachePrefetch"))`; a route that never reads it, or a request the
 * limiter refuses, costs nothing more (a lock it took is released). GET and HEAD only.
 *
 * @example
 * app.use("/products/:id", cachePrefetch((c) => productCacheKey(c.req.param("id"))));
 */
export function cachePrefetch(keyOf: (c: Context<AppEnv>) => string | undefined | Promise<string | undefined>): MiddlewareHandler<AppEnv> {
  return async function cachePrefetch(c, next) {
    if (c.req.method === "GET" || c.req.method === "HEAD") {
      const key = await keyOf(c);
      if (key !== undefined) c.set("cachePrefetch", { key, token: crypto.randomUUID() });
    }
    await next();
  };
}
