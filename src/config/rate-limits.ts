import type { Bindings } from "../env";

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

const perMinute = (raw: string | undefined, fallback: number) => {
  const value = Number(raw);
  return Number.isInteger(value) && value > 0 ? value : fallback;
};

/** The route groups' policies; limits from `[vars]` so they can be tuned per environment. */
export function rateLimitPolicies(env: Bindings): Record<"api" | "admin", RateLimitPolicy> {
  return {
    api: { name: "api", limit: perMinute(env.RATE_LIMIT_API_PER_MINUTE, 300), windowSeconds: 60, failMode: "open" },
    admin: { name: "admin", limit: perMinute(env.RATE_LIMIT_ADMIN_PER_MINUTE, 30), windowSeconds: 60, failMode: "closed" },
  };
}
