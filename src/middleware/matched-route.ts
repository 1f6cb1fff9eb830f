import type { Context } from "hono";
import { matchedRoutes } from "hono/route";

/** The route the router matched, as its OpenAPI definition names it. */
export interface MatchedRoute {
  method: string;
  /** `/products/{id}`: the definition's path, never the raw one. */
  path: string;
  /** `GET /products/{id}`: how the access rules and time budgets are keyed. */
  key: string;
}

const matched = new WeakMap<Request, MatchedRoute | null>();

/**
 * The route the router matched for this request (the last handler that is not
 * middleware), or null when none did (a 404 or a 405). Worked out once per request and
 * shared by the middleware that go by it: the time budget, the access rule, the metrics.
 */
export function matchedRoute(c: Context): MatchedRoute | null {
  const known = matched.get(c.req.raw);
  if (known !== undefined) return known;
  const route = matchedRoutes(c)
    .filter((r) => r.method !== "ALL")
    .at(-1);
  const path = route?.path.replace(/:(\w+)/g, "{$1}");
  const result = route && path !== undefined ? { method: route.method, path, key: `${route.method} ${path}` } : null;
  matched.set(c.req.raw, result);
  return result;
}
