import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { readConfig } from "../config/config";
import { createDeadline } from "../resilience";

/**
 * Gives the request one AbortSignal that fires when the client disconnects or when its time
 * budget runs out (`REQUEST_TIMEOUT_MS`, or `budgetMs` for a route that needs another).
 * Every I/O call of the request takes this signal or a child of it, so nothing outlives the
 * budget; retries know the deadline and never sleep past it; `onError` answers a fired
 * deadline with a 504.
 *
 * @example
 * app.use(deadline());                          // every route
 * app.post("/imports", deadline({ budgetMs: 20_000 }), handler);  // one route, longer
 */
export function deadline(options: { budgetMs?: number } = {}): MiddlewareHandler<AppEnv> {
  return async function deadline(c, next) {
    const budgetMs = options.budgetMs ?? readConfig(c.env).REQUEST_TIMEOUT_MS;
    const request = createDeadline(budgetMs, { parent: c.req.raw.signal });
    c.set("signal", request.signal);
    try {
      await next();
    } finally {
      request.dispose();
    }
  };
}
