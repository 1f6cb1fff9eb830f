import type { MiddlewareHandler } from "hono";
import { etag } from "hono/etag";
import type { AppEnv } from "../app-env";

/**
 * HTTP caching for public GETs: an ETag computed from the body (Hono's `etag`), so a client
 * that sends `If-None-Match` gets a body-less 304, and `Cache-Control` that lets browsers
 * and shared caches keep the response but revalidate it (`max-age` seconds, default 0), so
 * a write is never hidden behind a stale copy.
 *
 * The Workers Cache API is not used for these routes: products change on writes from any
 * isolate and location, and the cache is per data centre, so purging it on every write
 * would cost more than the revalidation it saves.
 */
export function httpCache(options: { maxAgeSeconds?: number } = {}): MiddlewareHandler<AppEnv> {
  const computeEtag = etag();
  const cacheControl = `public, max-age=${options.maxAgeSeconds ?? 0}, must-revalidate`;
  return async function httpCache(c, next) {
    if (c.req.method !== "GET" && c.req.method !== "HEAD") return next();
    await next();
    // A response marked no-store (a streamed export) is neither hashed nor cached: hashing
    // would read the whole stream into memory before the first byte is sent.
    if (c.res.headers.get("Cache-Control")?.includes("no-store")) return;
    await computeEtag(c, () => {
      if (c.res.status === 200 && !c.res.headers.has("Cache-Control")) c.res.headers.set("Cache-Control", cacheControl);
      return Promise.resolve();
    });
  };
}
