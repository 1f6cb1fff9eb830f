import { Ratelimit } from "@upstash/ratelimit";
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { rateLimitPolicies, type RateLimitPolicy } from "../config/rate-limits";
import { identify, type LimitCheck, type Limiter } from "../auth/identify";
import { createRedis } from "../data/redis";
import { prefetchHoldsLock, readOrLockCommand, releasePrefetchLock } from "../data/cache";
import { NOT_SENT, rideAlong, type RideCommand } from "../data/redis-ride-along";
import { guarded } from "../dependencies/guard";
import { scopeOf } from "./dependencies";
import { Problem, problems } from "../errors/problem";
import { log } from "../observability/logger";
import { identifyInput } from "./identity";
import { problemType, redisKey } from "../config/service";

/**
 * Verifies the caller and rate-limits the request with @upstash/ratelimit (sliding window),
 * keyed by who the caller is: the verified API key, the break-glass token, or the client IP.
 * A made-up or revoked key is a 401 counted against the client IP, so it neither escapes
 * the IP's limit nor creates a bucket of its own. The IETF RateLimit headers go on every
 * response; past the limit, 429 problem+json.
 *
 * The library's own fail-open is replaced by an explicit policy: its timeout is off
 * (`timeout: 0`) and the call runs under the Redis guard (deadline, breaker), so a slow or
 * down Redis surfaces as an error, and the group's `failMode` decides, with a log line
 * (the break-glass token always passes: it exists for outages). Its ephemeral cache stays
 * on, on purpose: it remembers clients already over the limit (`reason: "cacheBlock"`), a
 * real denial that saves a Redis call per abusive request.
 *
 * @example
 * app.use("/products/*", rateLimit("api"));
 */
export function rateLimit(group: "api" | "admin"): MiddlewareHandler<AppEnv> {
  // Per isolate, per policy: the library's cache of blocked identifiers.
  const blocked = new Map<string, number>();
  return async function rateLimit(c, next) {
    const policy = rateLimitPolicies(c.env)[group];
    const identity = await identify(identifyInput(c), upstashLimiter(c, policy, blocked));
    const refused = (decision: typeof identity.decision) => identity.failure !== undefined || decision?.success === false;
    const prefetch = c.get("cachePrefetch");
    if (prefetch && prefetchHoldsLock(prefetch) && refused(identity.decision)) {
      // The route will not run: free the loader's lock its cache read took for it.
      c.executionCtx.waitUntil(releasePrefetchLock(scopeOf(c), prefetch).catch(() => undefined));
    }
    if (identity.principal) c.set("principal", identity.principal);
    const { decision } = identity;
    if (decision) {
      c.header("RateLimit-Policy", `"${policy.name}";q=${policy.limit};w=${policy.windowSeconds}`);
      c.header("RateLimit", `"${policy.name}";r=${decision.remaining};t=${decision.resetSeconds}`);
      if (!decision.success) {
        throw new Problem(
          {
            type: problemType("rate-limited"),
            title: "Too Many Requests",
            status: 429,
            detail: `More than ${policy.limit} requests in ${policy.windowSeconds} s. Retry after ${decision.resetSeconds} s.`,
          },
          { headers: { "Retry-After": String(decision.resetSeconds) } },
        );
      }
    }
    if (identity.failure !== undefined) throw problems.unauthorized(identity.failure);
    if (identity.limiterUnavailable && policy.failMode === "closed" && identity.principal?.kind !== "admin-token") {
      throw new Problem(
        {
          type: problemType("dependency-unavailable"),
          title: "Service Unavailable",
          status: 503,
          detail: "The rate limiter cannot decide right now, and this route does not go without it.",
        },
        { headers: { "Retry-After": "1" } },
      );
    }
    await next();
  };
}

const prefixOf = (policy: RateLimitPolicy) => redisKey("ratelimit", policy.name);

/**
 * The group's limiter over Upstash; a check that cannot reach Redis says so instead of
 * throwing. Its first check also carries the route's cache read, when the route asked for
 * one (`cachePrefetch`): a cache hit then costs this one round trip in all.
 */
function upstashLimiter(c: Context<AppEnv>, policy: RateLimitPolicy, blocked: Map<string, number>): Limiter {
  let prefetch = c.get("cachePrefetch");
  return {
    knownDenial(identity) {
      // The library's cache of blocked clients holds `<prefix>:<identifier>` → reset time
      // (ms). Read, never written, here: were its format to change, this only finds nothing.
      const reset = blocked.get(`${prefixOf(policy)}:${identity}`);
      if (reset === undefined || reset <= Date.now()) return undefined;
      return { success: false, remaining: 0, resetSeconds: Math.ceil((reset - Date.now()) / 1000) };
    },
    async check(identity, alsoRead): Promise<LimitCheck> {
      try {
        const { result, read } = await guarded(
          scopeOf(c),
          "redis",
          async (signal) => {
            const redis = createRedis(c.env, signal);
            const commands: RideCommand[] = [
              ...(alsoRead === undefined ? [] : [{ get: alsoRead }]),
              ...(prefetch ? [readOrLockCommand(prefetch)] : []),
            ];
            const rider = commands.length === 0 ? undefined : rideAlong(redis, commands);
            const limited = await new Ratelimit({
              redis: rider?.redis ?? redis,
              limiter: Ratelimit.slidingWindow(policy.limit, `${policy.windowSeconds} s`),
              prefix: prefixOf(policy),
              timeout: 0,
              ephemeralCache: blocked,
              analytics: false,
            }).limit(identity);
            const replies = rider ? rider.replies() : NOT_SENT;
            if (prefetch && replies !== NOT_SENT) prefetch.reply = replies.at(-1);
            return { result: limited, read: alsoRead === undefined || replies === NOT_SENT ? NOT_SENT : replies[0] };
          },
          // Not retried: a lost answer would count the request twice.
          { idempotent: false },
        );
        c.executionCtx.waitUntil(result.pending);
        prefetch = undefined; // sent once, with the first check
        const resetSeconds = Math.max(0, Math.ceil((result.reset - Date.now()) / 1000));
        return { decision: { success: result.success, remaining: Math.max(0, result.remaining), resetSeconds }, read };
      } catch (error) {
        if (c.get("signal").aborted) throw error;
        log("warn", `rate limiter unavailable: failing ${policy.failMode}`, {
          requestId: c.get("requestId"),
          policy: policy.name,
          error: error instanceof Error ? error.name : "unknown",
        });
        return { unavailable: true, read: NOT_SENT };
      }
    },
  };
}
