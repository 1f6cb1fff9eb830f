import { Redis } from "@upstash/redis/cloudflare";
import type { Bindings } from "../env";

export type { Redis };

/**
 * Creates the request's Upstash Redis client (REST: every command, or every auto-pipelined
 * batch of commands issued in the same tick, is one `fetch`), bound to `signal`.
 *
 * The client's own retry of network errors (5 attempts by default) is turned off on
 * purpose: retries belong to one policy that knows the request's deadline and retry
 * budget, and two nested retry loops would multiply each other's attempts.
 */
export function createRedis(env: Bindings, signal: AbortSignal): Redis {
  return new Redis({
    url: env.UPSTASH_REDIS_REST_URL,
    token: env.UPSTASH_REDIS_REST_TOKEN,
    // A function, not the signal itself: given a plain AbortSignal, @upstash/redis turns an
    // aborted request into a *successful* reply whose result is the abort reason, so a timed
    // out GET would resolve to garbage. Given a function, it rethrows the abort.
    signal: () => signal,
    retry: false,
    enableTelemetry: false,
  });
}
