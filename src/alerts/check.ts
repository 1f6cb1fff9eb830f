import type { Bindings } from "../env";
import { DEPENDENCY_NAMES } from "../config/dependencies";
import { metricsObject } from "../observability/metrics-buffer";
import { describeError, log } from "../observability/logger";
import { createDeadline, mapConcurrent, raceAbort } from "../resilience";

/** The cron's whole check: every breaker's state, then one evaluation. */
const CHECK_TIMEOUT_MS = 10_000;

/**
 * The cron trigger's look at the alerts: reads every circuit breaker's state from its own
 * object and hands them to the metrics object, which re-evaluates every rule. Breakers
 * announce their transitions themselves (one call each, in the background); this makes
 * good one that was lost, and moves the windows on when no traffic does.
 */
export async function checkAlerts(env: Bindings): Promise<void> {
  const deadline = createDeadline(CHECK_TIMEOUT_MS);
  try {
    const statuses = await mapConcurrent(
      DEPENDENCY_NAMES,
      DEPENDENCY_NAMES.length,
      (name) => env.CIRCUIT_BREAKERS.get(env.CIRCUIT_BREAKERS.idFromName(name)).status(name),
      deadline.signal,
    );
    const views = statuses.flatMap((status) => (status.ok ? [status.value.view] : []));
    const unread = statuses.flatMap((status, i) => (status.ok ? [] : [`${DEPENDENCY_NAMES[i] ?? "?"}: ${describeError(status.error)}`]));
    if (unread.length > 0) log("warn", "alert check could not read some breakers", { unread });
    await raceAbort(metricsObject(env).checkAlerts(views), deadline.signal);
  } finally {
    deadline.dispose();
  }
}
