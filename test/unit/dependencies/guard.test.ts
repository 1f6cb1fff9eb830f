import { describe, expect, it } from "vitest";
import type { Bindings } from "../../../src/env";
import type { BreakerObject } from "../../../src/dependencies/breaker-client";
import { DependencyUnavailableError } from "../../../src/dependencies/errors";
import { guarded } from "../../../src/dependencies/guard";
import type { DependencyScope } from "../../../src/dependencies/scope";
import { emptyAggregate, mergeAggregate, type MetricsAggregate } from "../../../src/observability/aggregate";
import { metrics } from "../../../src/observability/metrics-buffer";
import { ConsecutiveFailures } from "../../../src/resilience/breaker-strategy";
import { CircuitBreaker } from "../../../src/resilience/circuit-breaker";
import { neonError, outcome } from "../resilience/helpers";

/**
 * Bindings for a guarded call in Node: the configuration's defaults (short timeouts), a
 * circuit breaker object that is always reachable, and a metrics object that keeps every
 * batch it is sent. Only what the guard touches is there, hence the cast.
 */
function fakeEnv(vars: Record<string, string> = {}) {
  const breaker = new CircuitBreaker({ name: "fake", strategy: new ConsecutiveFailures(1_000), breakDurationMs: 1_000 });
  const object: BreakerObject = {
    acquire: () => Promise.resolve({ admission: breaker.tryAcquire(), view: breaker.view() }),
    complete: () => Promise.resolve(breaker.view()),
    report: () => Promise.resolve(breaker.view()),
  };
  const totals = emptyAggregate();
  const id = (name: string) => ({ name, toString: () => name, equals: () => true });
  const env = {
    CURSOR_SECRET: "0123456789abcdef0123456789abcdef",
    REDIS_TIMEOUT_MS: "50",
    NEON_TIMEOUT_MS: "50",
    ...vars,
    CIRCUIT_BREAKERS: { idFromName: id, get: () => object },
    METRICS: {
      idFromName: id,
      get: () => ({
        ingest: (batch: MetricsAggregate) => {
          mergeAggregate(totals, batch);
          return Promise.resolve();
        },
      }),
    },
  } as unknown as Bindings;
  return { env, totals };
}

async function run<T>(env: Bindings, call: (scope: DependencyScope) => Promise<T>) {
  const background: Promise<unknown>[] = [];
  const scope: DependencyScope = { env, signal: AbortSignal.timeout(5_000), waitUntil: (promise) => background.push(promise) };
  const result = await outcome(call(scope));
  await Promise.all(background);
  await metrics.flush(env);
  return result;
}

describe("guarded: retry statistics in the metrics", () => {
  it("counts each retry, and the call given up when the attempts ran out", async () => {
    const { env, totals } = fakeEnv();
    let attempts = 0;
    const result = await run(env, (scope) =>
      guarded(scope, "redis", () => {
        attempts++;
        return Promise.reject(new TypeError("fetch failed"));
      }, { idempotent: true }),
    );
    expect(result.ok ? undefined : result.error).toBeInstanceOf(DependencyUnavailableError);
    expect(attempts).toBe(2); // REDIS_RETRY_ATTEMPTS
    expect(totals.dependencies.redis).toMatchObject({ calls: 2, errors: 2, retries: 1, retryGiveUps: { "max-attempts": 1 } });
  });

  it("counts attempt timeouts as retried failures too", async () => {
    const { env, totals } = fakeEnv();
    const result = await run(env, (scope) =>
      guarded(scope, "neon", (signal) => new Promise<never>((_resolve, reject) => {
        signal.addEventListener("abort", () => {
          reject(neonError("Error connecting to database: AbortError", { sourceError: new DOMException("x", "AbortError") }));
        });
      }), { idempotent: true }),
    );
    expect(result.ok).toBe(false);
    // NEON_RETRY_ATTEMPTS: 3 attempts, each timed out after 50 ms.
    expect(totals.dependencies.neon).toMatchObject({ calls: 3, timeouts: 3, retries: 2, retryGiveUps: { "max-attempts": 1 } });
  });

  it("neither retries nor counts a give-up when the dependency answered with an error", async () => {
    const { env, totals } = fakeEnv();
    const unique = neonError("duplicate key", { code: "23505" });
    const result = await run(env, (scope) => guarded(scope, "reviews", () => Promise.reject(unique), { idempotent: true }));
    expect(result).toEqual({ ok: false, error: unique });
    expect(totals.dependencies.reviews).toMatchObject({ calls: 1, retries: 0, retryGiveUps: {} });
  });

  it("records nothing with OBSERVABILITY=off", async () => {
    const { env, totals } = fakeEnv({ OBSERVABILITY: "off" });
    await run(env, (scope) => guarded(scope, "webhooks", () => Promise.reject(new TypeError("fetch failed")), { idempotent: true, budgetMs: 300 }));
    expect(totals).toEqual(emptyAggregate());
  });
});
