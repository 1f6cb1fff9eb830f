import { anyOf, ConsecutiveFailures, FailureRate, type CircuitBreakerOptions } from "../resilience";
import type { Bindings } from "../env";
import { readConfig, type Config } from "./config";

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

/** Backoff between attempts: where it starts and where it stops, per dependency (not tunables). */
const BACKOFF: Record<DependencyName, { initialDelayMs: number; maxDelayMs: number }> = {
  neon: { initialDelayMs: 50, maxDelayMs: 500 },
  redis: { initialDelayMs: 20, maxDelayMs: 100 },
  reviews: { initialDelayMs: 50, maxDelayMs: 300 },
  webhooks: { initialDelayMs: 200, maxDelayMs: 2_000 },
};

// Built once per configuration (one per isolate): the guard reads them on every call.
const built = new WeakMap<Config, Record<DependencyName, DependencyPolicy>>();

/** The policies, from the one configuration (`[vars]`: `NEON_TIMEOUT_MS`, `BREAKER_*`…). */
export function dependencyPolicies(env: Bindings): Record<DependencyName, DependencyPolicy> {
  const config = readConfig(env);
  let policies = built.get(config);
  if (!policies) {
    const breaker = {
      consecutiveFailures: config.BREAKER_CONSECUTIVE_FAILURES,
      failureRate: config.BREAKER_FAILURE_RATE,
      minThroughput: config.BREAKER_MIN_CALLS,
      windowMs: config.BREAKER_WINDOW_MS,
      breakDurationMs: config.BREAKER_BREAK_MS,
      maxBreakDurationMs: config.BREAKER_BREAK_MS * 12,
      halfOpenProbes: config.BREAKER_HALF_OPEN_PROBES,
    };
    const policy = (name: DependencyName, timeoutMs: number, maxAttempts: number, maxConcurrent: number, maxQueue: number): DependencyPolicy => ({
      timeoutMs,
      retry: { maxAttempts, ...BACKOFF[name] },
      bulkhead: { maxConcurrent, maxQueue },
      breaker,
    });
    policies = {
      neon: policy("neon", config.NEON_TIMEOUT_MS, config.NEON_RETRY_ATTEMPTS, config.NEON_CONCURRENCY, config.NEON_QUEUE),
      redis: policy("redis", config.REDIS_TIMEOUT_MS, config.REDIS_RETRY_ATTEMPTS, config.REDIS_CONCURRENCY, config.REDIS_QUEUE),
      reviews: policy("reviews", config.REVIEWS_TIMEOUT_MS, config.REVIEWS_RETRY_ATTEMPTS, config.REVIEWS_CONCURRENCY, config.REVIEWS_QUEUE),
      // Outgoing webhooks, sent by the notify-webhook job (never on a request's path).
      webhooks: policy("webhooks", config.WEBHOOK_TIMEOUT_MS, config.WEBHOOK_RETRY_ATTEMPTS, config.WEBHOOK_CONCURRENCY, config.WEBHOOK_QUEUE),
    };
    built.set(config, policies);
  }
  return policies;
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
