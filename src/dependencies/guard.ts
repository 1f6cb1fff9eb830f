import { dependencyPolicies, type DependencyName, type DependencyPolicy } from "../config/dependencies";
import {
  createDeadline,
  isAttemptTimeoutError,
  bulkhead,
  exponentialBackoff,
  isTransientError,
  retry,
  retryBudget,
  verdictOf,
  type Bulkhead,
  type GiveUpReason,
  type RetryPolicy,
} from "../resilience";
import { breakerClient, type BreakerContext } from "./breaker-client";
import { DependencyUnavailableError } from "./errors";
import type { DependencyScope } from "./scope";
import { metrics, type CallOutcome } from "../observability/metrics-buffer";
import { readConfig } from "../config/config";

export interface GuardOptions {
  /** Only idempotent calls are retried (reads, or writes made safe by a key). */
  idempotent: boolean;
  /**
   * A tighter budget than the request's, for optional work (e.g. enrichment that may be
   * left out): all attempts together stop after it, and the request goes on.
   */
  budgetMs?: number;
}

interface IsolatePolicies {
  retry: RetryPolicy;
  bulkhead: Bulkhead;
}

// Per isolate, like the bulkhead's count of calls in flight and the retry budget's window.
const isolatePolicies = new Map<DependencyName, IsolatePolicies>();

/**
 * The give-ups counted in the metrics: the error was worth retrying, but the attempts, the
 * time or the retry budget ran out (`budget`: the budget capping retries in an outage), or
 * the upstream asked for too long a wait. Not counted: `not-retryable` and `not-idempotent`
 * (no retry was ever on offer: the dependency answered, or the write must not repeat) and
 * `aborted` (the caller left).
 */
const RETRY_GAVE_UP: ReadonlySet<GiveUpReason> = new Set<GiveUpReason>(["max-attempts", "deadline", "budget", "retry-after-too-long"]);

function policiesFor(name: DependencyName, policy: DependencyPolicy): IsolatePolicies {
  let policies = isolatePolicies.get(name);
  if (!policies) {
    policies = {
      retry: retry({
        maxAttempts: policy.retry.maxAttempts,
        idempotent: false,
        backoff: exponentialBackoff(policy.retry),
        attemptTimeoutMs: policy.timeoutMs,
        // Retries stay under 10% of calls (plus a few), so an outage is not amplified.
        budget: retryBudget({ ratio: 0.1, minRetriesPerWindow: 5, windowMs: 10_000 }),
      }),
      bulkhead: bulkhead(policy.bulkhead),
    };
    isolatePolicies.set(name, policies);
  }
  return policies;
}

/**
 * Runs one call to a dependency under every policy, outermost first: the request's
 * deadline; retry (idempotent calls, transient errors, within the retry budget, never
 * sleeping past the deadline) with a per-attempt timeout; the bulkhead (bounded concurrency
 * per isolate); the shared circuit breaker (fail fast while the dependency is down). The
 * bulkhead sits outside the breaker so that, once a dependency starts failing, no more
 * calls reach it than the breaker's threshold.
 *
 * `run` receives the attempt's signal and must pass it to its I/O.
 */
export function guarded<T>(
  scope: DependencyScope,
  name: DependencyName,
  run: (signal: AbortSignal) => Promise<T>,
  options: GuardOptions,
): Promise<T> {
  const policy = dependencyPolicies(scope.env)[name];
  const { retry: retryPolicy, bulkhead: slots } = policiesFor(name, policy);
  const breakerContext: BreakerContext = {
    namespace: scope.env.CIRCUIT_BREAKERS,
    waitUntil: (promise) => scope.waitUntil(promise),
    policy,
  };
  const budget = options.budgetMs === undefined ? undefined : createDeadline(options.budgetMs, { parent: scope.signal });
  const requestSignal = budget?.signal ?? scope.signal;
  const observed = readConfig(scope.env).OBSERVABILITY !== "off";

  const attempts = retryPolicy.execute(
    ({ signal: attemptSignal }) =>
      slots.execute(async ({ signal }) => {
        const permit = await breakerClient.admit(name, breakerContext);
        const started = performance.now();
        try {
          const result = await run(signal);
          breakerClient.complete(name, permit, "success", breakerContext);
          observeCall(scope, name, started, "ok");
          return result;
        } catch (error) {
          breakerClient.complete(name, permit, verdictOf(error, { caller: requestSignal, attempt: attemptSignal }), breakerContext);
          observeCall(scope, name, started, attemptSignal.aborted && !requestSignal.aborted ? "timeout" : "error");
          throw error;
        }
      }, attemptSignal),
    {
      signal: requestSignal,
      idempotent: options.idempotent,
      // Counted in memory, and sent with the isolate's next metrics batch like the calls.
      onRetry: observed ? () => metrics.recordRetry(name) : undefined,
      onGiveUp: observed
        ? ({ reason }) => {
            if (RETRY_GAVE_UP.has(reason)) metrics.recordRetryGiveUp(name, reason);
          }
        : undefined,
    },
  );
  return attempts
    .catch((error: unknown) => {
      // Out of attempts on a transient failure: the dependency is down, not our code.
      if (!requestSignal.aborted && isTransientError(error) && !isAttemptTimeoutError(error)) {
        throw new DependencyUnavailableError(name, error);
      }
      throw error;
    })
    .finally(() => budget?.dispose());
}

/** One attempt's time and outcome: to the isolate's metrics, and to the request's telemetry. */
function observeCall(scope: DependencyScope, name: DependencyName, started: number, outcome: CallOutcome): void {
  if (readConfig(scope.env).OBSERVABILITY === "off") return;
  const ms = performance.now() - started;
  metrics.recordDependency(name, ms, outcome);
  scope.telemetry?.recordDependency(name, ms, outcome, breakerClient.cachedView(name)?.state);
  metrics.flushIfDue(scope.env, (promise) => scope.waitUntil(promise));
}
