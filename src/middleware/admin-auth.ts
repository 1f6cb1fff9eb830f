import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { Problem } from "../errors/problem";

/**
 * Guards operator routes with the ADMIN_TOKEN secret (`Authorization: Bearer …`). The
 * comparison takes the same time whatever the token, and an unset secret locks the routes.
 */
export function adminAuth(): MiddlewareHandler<AppEnv> {
  return async function adminAuth(c, next) {
    const expected = c.env.ADMIN_TOKEN;
    const given = /^Bearer (.+)$/.exec(c.req.header("Authorization") ?? "")?.[1];
    if (!expected || !given || !(await sameSecret(given, expected))) {
      throw new Problem(
        { title: "Unauthorized", status: 401, detail: "This route needs the admin token: Authorization: Bearer <ADMIN_TOKEN>." },
        { headers: { "WWW-Authenticate": 'Bearer realm="admin"' } },
      );
    }
    await next();
  };
}

async function sameSecret(given: string, expected: string): Promise<boolean> {
  // Hash both first: timingSafeEqual needs equal lengths, and lengths must not leak either.
  const encoder = new TextEncoder();
  const [a, b] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(given)),
    crypto.subtle.digest("SHA-256", encoder.encode(expected)),
  ]);
  return crypto.subtle.timingSafeEqual(a, b);
}
