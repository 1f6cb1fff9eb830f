import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { readConfig } from "../config/config";

/**
 * Gives the request one AbortSignal that fires when the client disconnects or when its time
 * budget (`REQUEST_TIMEOUT_MS`) runs out. Every I/O call of the request takes this signal,
 * so nothing outlives the budget; `onError` turns a fired deadline into a 504.
 */
export function deadline(): MiddlewareHandler<AppEnv> {
  return async function deadline(c, next) {
    const budgetMs = readConfig(c.env).REQUEST_TIMEOUT_MS;
    c.set("signal", AbortSignal.any([c.req.raw.signal, AbortSignal.timeout(budgetMs)]));
    await next();
  };
}
