import { anyOf, ConsecutiveFailures, FailureRate, type CircuitBreakerOptions } from "../resilience";
import type { Bindings } from "../env";

/** The dependencies every call is guarded for: one breaker, bulkhead and retry policy each. */
export type DependencyName = "neon" | "redis" | "reviews" | "webhooks";
export const DEPENDENCY_NAMES: readonly DependencyName[] = ["neon", "redis", "reviews", "webhooks"];

export interface DependencyPolicy {
  /** Deadline of one attempt (a child of the request's deadline). */
  timeoutMs: number;
  retry: { maxAttempts: number; initialDelayMs: number; maxDelayMs: number };
  /**
   * Per isolate. `maxConcurrent` also bounds how many calls can reach a dependency before
   * its first failure is known: at or below `consecutiveFailures`, an outage costs no more
   * calls than the breaker's threshold. The core data stores get more room, since every
   * request needs them.
   */
  bulkhead: { maxConcurrent: number; maxQueue: number };
  breaker: {
    consecutiveFailures: number;
    failureRate: number;
    minThroughput: number;
    windowMs: number;
    breakDurationMs: number;
    maxBreakDurationMs: number;
    halfOpenProbes: number;
  };
}

const ms = (raw: string | undefined, fallback: number) => {
  const value = Number(raw);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};

/** The policies, with timings from `[vars]` so an operator (or a test) can tune them. */
export function dependencyPolicies(env: Bindings): Record<DependencyName, DependencyPolicy> {
  const breakDurationMs = ms(env.BREAKER_BREAK_MS, 10_000);
  const breaker = {
    consecutiveFailures: 5,
    failureRate: 0.5,
    minThroughput: 20,
    windowMs: 30_000,
    breakDurationMs,
    maxBreakDurationMs: breakDurationMs * 12,
    halfOpenProbes: 2,
  };
  return {
    neon: {
      timeoutMs: ms(env.NEON_TIMEOUT_MS, 3_000),
      retry: { maxAttempts: 3, initialDelayMs: 50, maxDelayMs: 500 },
      bulkhead: { maxConcurrent: 20, maxQueue: 200 },
      breaker,
    },
    redis: {
      timeoutMs: ms(env.REDIS_TIMEOUT_MS, 500),
      retry: { maxAttempts: 2, initialDelayMs: 20, maxDelayMs: 100 },
      bulkhead: { maxConcurrent: 20, maxQueue: 200 },
      breaker,
    },
    reviews: {
      timeoutMs: ms(env.REVIEWS_TIMEOUT_MS, 800),
      retry: { maxAttempts: 2, initialDelayMs: 50, maxDelayMs: 300 },
      bulkhead: { maxConcurrent: 4, maxQueue: 100 },
      breaker,
    },
    // Outgoing webhooks, sent by the notify-webhook job (never on a request's path).
    webhooks: {
      timeoutMs: ms(env.WEBHOOK_TIMEOUT_MS, 5_000),
      retry: { maxAttempts: 3, initialDelayMs: 200, maxDelayMs: 2_000 },
      bulkhead: { maxConcurrent: 6, maxQueue: 200 },
      breaker,
    },
  };
}

/** The state machine's options for one dependency (the Durable Object builds its breaker from them). */
export function breakerOptions(name: DependencyName, policy: DependencyPolicy): Omit<CircuitBreakerOptions, "initialState"> {
  const { breaker } = policy;
  return {
    name,
    strategy: anyOf(
      new ConsecutiveFailures(breaker.consecutiveFailures),
      new FailureRate({ threshold: breaker.failureRate, minThroughput: breaker.minThroughput, windowMs: breaker.windowMs }),
    ),
    breakDurationMs: breaker.breakDurationMs,
    breakDurationMultiplier: 2,
    maxBreakDurationMs: breaker.maxBreakDurationMs,
    halfOpenProbes: breaker.halfOpenProbes,
    // Longer than any request's budget, so a live probe is never taken for a lost one.
    probeLeaseMs: 60_000,
  };
}
