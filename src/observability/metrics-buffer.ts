import type { Bindings } from "../env";
import { observe } from "./histogram";
import { addRetryGiveUps, dependencyEntry, emptyAggregate, isEmpty, mergeAggregate, MAX_SLOW_QUERIES, routeEntry, type MetricsAggregate, type SlowQuery } from "./aggregate";
import { describeError, log } from "./logger";

/** An isolate sends its counts at most this often: never one Durable Object call per request. */
const FLUSH_INTERVAL_MS = 1_000;
const FLUSH_TIMEOUT_MS = 2_000;

export type CallOutcome = "ok" | "error" | "timeout";

/**
 * This isolate's metrics since its last flush. Recording is a few additions in memory; the
 * counts reach the metrics Durable Object (the fleet-wide totals behind GET /metrics) in one
 * call per second at most, through `waitUntil`, off the request's path. A failed flush
 * keeps its counts for the next one.
 */
class MetricsBuffer {
  #pending: MetricsAggregate = emptyAggregate();
  #lastFlush = 0;
  #flushing: Promise<void> | undefined;

  recordRequest(method: string, route: string, status: number, ms: number): void {
    const entry = routeEntry(this.#pending, method, route);
    entry.count++;
    if (status >= 500) entry.errors++;
    else if (status >= 400) entry.clientErrors++;
    observe(entry.latency, ms);
  }

  recordDependency(name: string, ms: number, outcome: CallOutcome): void {
    const entry = dependencyEntry(this.#pending, name);
    entry.calls++;
    if (outcome !== "ok") entry.errors++;
    if (outcome === "timeout") entry.timeouts++;
    observe(entry.latency, ms);
  }

  /** One retry of a call to `name`: an attempt after the call's first. */
  recordRetry(name: string): void {
    const entry = dependencyEntry(this.#pending, name);
    entry.retries = (entry.retries ?? 0) + 1;
  }

  /** A call to `name` that the retry policy gave up on, and why (`budget`, `max-attempts`…). */
  recordRetryGiveUp(name: string, reason: string): void {
    addRetryGiveUps(dependencyEntry(this.#pending, name), reason, 1);
  }

  recordSlowQuery(query: SlowQuery): void {
    this.#pending.slowQueries.count++;
    this.#pending.slowQueries.latest = [query, ...this.#pending.slowQueries.latest].slice(0, MAX_SLOW_QUERIES);
  }

  /** Flushes in the background when the last flush is old enough. */
  flushIfDue(env: Bindings, waitUntil: (promise: Promise<unknown>) => void): void {
    if (Date.now() - this.#lastFlush >= FLUSH_INTERVAL_MS && !this.#flushing) waitUntil(this.flush(env));
  }

  /** Sends the pending counts now (GET /metrics does, so it includes this isolate's latest). */
  flush(env: Bindings): Promise<void> {
    this.#flushing ??= this.#send(env).finally(() => (this.#flushing = undefined));
    return this.#flushing;
  }

  async #send(env: Bindings): Promise<void> {
    this.#lastFlush = Date.now();
    const batch = this.#pending;
    if (isEmpty(batch)) return;
    this.#pending = emptyAggregate();
    try {
      const stub = env.METRICS.get(env.METRICS.idFromName("global"));
      await Promise.race([
        stub.ingest(batch),
        new Promise((_, reject) => setTimeout(() => reject(new Error("metrics flush timed out")), FLUSH_TIMEOUT_MS)),
      ]);
    } catch (error) {
      mergeAggregate(this.#pending, batch);
      log("warn", "metrics flush failed; counts kept for the next", { error: describeError(error) });
    }
  }
}

export const metrics = new MetricsBuffer();
