import type { Bindings } from "../env";
import { readConfig } from "./config";

/** What to do when the limiter cannot reach Redis in time (or its breaker is open). */
export type FailMode = "open" | "closed";

export interface RateLimitPolicy {
  /** Names the policy in the `RateLimit-Policy` and `RateLimit` headers. */
  name: string;
  /** Requests allowed per window, per client. */
  limit: number;
  windowSeconds: number;
  /**
   * Redis down: `open` lets the request through (availability first: the limiter is a
   * guard rail), `closed` refuses it with 503 (for routes where abuse costs more than an
   * outage). Logged either way.
   */
  failMode: FailMode;
}

/** The route groups' policies; limits from the one configuration, so they can be tuned per environment. */
export function rateLimitPolicies(env: Bindings): Record<"api" | "admin", RateLimitPolicy> {
  const config = readConfig(env);
  return {
    api: { name: "api", limit: config.RATE_LIMIT_API_PER_MINUTE, windowSeconds: 60, failMode: "open" },
    admin: { name: "admin", limit: config.RATE_LIMIT_ADMIN_PER_MINUTE, windowSeconds: 60, failMode: "closed" },
  };
}
