import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import type { AppEnv } from "../app-env";
import { readConfig } from "../config/config";

/** What a browser client may send, and read back, across origins. */
const ALLOW_HEADERS = ["Authorization", "X-API-Key", "Content-Type", "Idempotency-Key", "If-None-Match", "Last-Event-ID", "X-Request-Id"];
const EXPOSE_HEADERS = ["Location", "ETag", "Retry-After", "RateLimit", "RateLimit-Policy", "X-Request-Id", "X-Cache", "X-Degraded", "Idempotent-Replayed"];

/**
 * Cross-origin access through Hono's `cors`, for the origins listed in `CORS_ORIGINS` only.
 * The default, an empty list, sends no CORS headers at all: browsers then keep other sites'
 * scripts from reading any answer. Credentials travel in headers, never cookies, so
 * `Access-Control-Allow-Credentials` is never sent.
 *
 * @example
 * CORS_ORIGINS = "https://app.example.com,https://admin.example.com"
 */
export function corsPolicy(): MiddlewareHandler<AppEnv> {
  // Built once per list of origins (the same for every request of an isolate).
  let built: { origins: string[]; handler: MiddlewareHandler } | undefined;
  return async function corsPolicy(c, next) {
    const origins = readConfig(c.env).CORS_ORIGINS;
    if (origins.length === 0) return next();
    if (built?.origins !== origins) {
      built = {
        origins,
        handler: cors({
          origin: (origin) => (origins.includes(origin) ? origin : null),
          allowMethods: ["GET", "HEAD", "POST", "PATCH", "DELETE"],
          allowHeaders: ALLOW_HEADERS,
          exposeHeaders: EXPOSE_HEADERS,
          maxAge: 600,
        }),
      };
    }
    return built.handler(c, next);
  };
}
