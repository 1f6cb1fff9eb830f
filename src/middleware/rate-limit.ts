import { Ratelimit } from "@upstash/ratelimit";
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { rateLimitPolicies, type RateLimitPolicy } from "../config/rate-limits";
import { createRedis } from "../data/redis";
import { guarded } from "../dependencies/guard";
import { scopeOf } from "../dependencies/scope";
import { Problem } from "../errors/problem";
import { sha256Hex } from "../util/sha256";
import { log } from "../observability/logger";

/**
 * Rate limiting with @upstash/ratelimit (sliding window), keyed by API key or client IP,
 * with the IETF RateLimit headers on every response and 429 problem+json past the limit.
 *
 * The library's own fail-open is replaced by an explicit policy: its timeout is off
 * (`timeout: 0`) and the call runs under the Redis guard (deadline, breaker), so a slow or
 * down Redis surfaces as an error, and the group's `failMode` decides, with a log line.
 * Its ephemeral cache stays on, on purpose: it remembers clients already over the limit
 * (`reason: "cacheBlock"`), a real denial that saves a Redis call per abusive request.
 *
 * @example
 * app.use("/products/*", rateLimit("api"));
 */
export function rateLimit(group: "api" | "admin"): MiddlewareHandler<AppEnv> {
  // Per isolate, per policy: the library's cache of blocked identifiers.
  const blocked = new Map<string, number>();
  return async function rateLimit(c, next) {
    const policy = rateLimitPolicies(c.env)[group];
    const decision = await check(c, policy, blocked);
    if (decision) {
      c.header("RateLimit-Policy", `"${policy.name}";q=${policy.limit};w=${policy.windowSeconds}`);
      c.header("RateLimit", `"${policy.name}";r=${decision.remaining};t=${decision.resetSeconds}`);
      if (!decision.success) {
        throw new Problem(
          {
            type: "urn:edgekit:problem:rate-limited",
            title: "Too Many Requests",
            status: 429,
            detail: `More than ${policy.limit} requests in ${policy.windowSeconds} s. Retry after ${decision.resetSeconds} s.`,
          },
          { headers: { "Retry-After": String(decision.resetSeconds) } },
        );
      }
    }
    await next();
  };
}

interface Decision {
  success: boolean;
  remaining: number;
  resetSeconds: number;
}

/** The limiter's verdict, or undefined when it could not decide and the policy fails open. */
async function check(c: Context<AppEnv>, policy: RateLimitPolicy, blocked: Map<string, number>): Promise<Decision | undefined> {
  const identifier = await clientKey(c);
  try {
    const result = await guarded(
      scopeOf(c),
      "redis",
      (signal) =>
        new Ratelimit({
          redis: createRedis(c.env, signal),
          limiter: Ratelimit.slidingWindow(policy.limit, `${policy.windowSeconds} s`),
          prefix: `edgekit:ratelimit:${policy.name}`,
          timeout: 0,
          ephemeralCache: blocked,
          analytics: false,
        }).limit(identifier),
      // Not retried: a lost answer would count the request twice.
      { idempotent: false },
    );
    c.executionCtx.waitUntil(result.pending);
    const resetSeconds = Math.max(0, Math.ceil((result.reset - Date.now()) / 1000));
    return { success: result.success, remaining: Math.max(0, result.remaining), resetSeconds };
  } catch (error) {
    if (c.var.signal.aborted) throw error;
    log("warn", `rate limiter unavailable: failing ${policy.failMode}`, {
      requestId: c.get("requestId"),
      policy: policy.name,
      error: error instanceof Error ? error.name : "unknown",
    });
    if (policy.failMode === "open") return undefined;
    throw new Problem(
      {
        type: "urn:edgekit:problem:dependency-unavailable",
        title: "Service Unavailable",
        status: 503,
        detail: "The rate limiter cannot decide right now, and this route does not go without it.",
      },
      { headers: { "Retry-After": "1" } },
    );
  }
}

/**
 * Who is limited: the API key when one is sent (hashed, so keys never reach Redis), else the
 * client IP from Cloudflare's edge (`CF-Connecting-IP`).
 */
async function clientKey(c: Context<AppEnv>): Promise<string> {
  const apiKey = c.req.header("X-API-Key");
  if (!apiKey) return `ip:${c.req.header("CF-Connecting-IP") ?? "unknown"}`;
  return `key:${(await sha256Hex(apiKey)).slice(0, 32)}`;
}
