import type { Context, MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";
import type { AppEnv } from "../app-env";

/**
 * Hono's `secureHeaders` with the defaults that fit an API (`X-Content-Type-Options:
 * nosniff`, `Referrer-Policy: no-referrer`, HSTS, no framing…), plus `Cache-Control:
 * no-store` on every answer to a request that carried a credential: what a key may read
 * is never kept by a browser or a shared cache, whatever the route set.
 *
 * Responses made by a Durable Object (a WebSocket upgrade, an SSE stream) have immutable
 * headers; they are copied first, so every answer gets the same headers.
 */
export function securityHeaders(): MiddlewareHandler<AppEnv> {
  const secure = secureHeaders({ xFrameOptions: "DENY" });
  return async function securityHeaders(c, next) {
    await secure(c, async () => {
      await next();
      makeHeadersMutable(c);
      if (c.req.header("Authorization") !== undefined || c.req.header("X-API-Key") !== undefined) {
        c.res.headers.set("Cache-Control", "no-store");
      }
    });
  };
}

function makeHeadersMutable(c: Context<AppEnv>): void {
  try {
    c.res.headers.set("X-Content-Type-Options", "nosniff");
  } catch {
    const { res } = c;
    c.res = res.webSocket
      ? new Response(null, { status: res.status, headers: res.headers, webSocket: res.webSocket })
      : new Response(res.body, res);
  }
}
