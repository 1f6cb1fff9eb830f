import type { Bindings } from "../env";
import { observe } from "./histogram";
import {
  addRetryGiveUps,
  dependencyEntry,
  emptyAggregate,
  isEmpty,
  jobEntry,
  mergeAggregate,
  MAX_SLOW_QUERIES,
  routeEntry,
  type MetricsAggregate,
  type SlowQuery,
} from "./aggregate";
import { describeError, log } from "./logger";

/** An isolate sends its counts at most this often: never one Durable Object call per request. */
const FLUSH_INTERVAL_MS = 1_000;
const FLUSH_TIMEOUT_MS = 2_000;

export type CallOutcome = "ok" | "error" | "timeout";

/**
 * How a job's run ended: `failed` with attempts left (it runs again), `final` when the
 * failure sends the job to the dead-letter queue (whose consumer counts it dead).
 */
export type JobRunOutcome = "succeeded" | "failed" | "final";

/** The one metrics Durable Object: fleet-wide totals, the recent minutes, and the alerts. */
export const metricsObject = (env: Bindings) => env.METRICS.get(env.METRICS.idFromName("global"));

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

  /** One run of job `name`: its time, and its outcome (a final failure counts in time only). */
  recordJobRun(name: string, outcome: JobRunOutcome, ms: number): void {
    const entry = jobEntry(this.#pending, name);
    if (outcome === "succeeded") entry.succeeded++;
    else if (outcome === "failed") entry.failed++;
    observe(entry.duration, ms);
  }

  /** A job of `name` marked dead by the dead-letter consumer. */
  recordJobDead(name: string): void {
    jobEntry(this.#pending, name).dead++;
  }

  /** A delivery of job `name` acknowledged without running it (a repeat). */
  recordJobDuplicate(name: string): void {
    jobEntry(this.#pending, name).duplicates++;
  }

  recordSlowQuery(query: SlowQuery): void {
    this.#pending.slowQueries.count++;
    this.#pending.slowQueries.latest = [query, ...this.#pending.slowQueries.latest].slice(0, MAX_SLOW_QUERIES);
  }

  /** Flushes in the background when the last flush is old enough. */
  flushIfDue(env: Bindings, waitUntil: (promise: Promise<unknown>) => void): void {
    if (Date.now() - this.#lastFlush >= FLUSH_INTERVAL_MS && !this.#flushing) waitUntil(this.flush(env));
  }

  /**
   * For the queue consumers, whose counts come at the end of a batch: sends them now, after
   * a flush already on its way (which took its counts before these), in the batch's
   * `waitUntil`. One call per batch (up to 100 jobs), and the counts arrive even if this
   * isolate gets no more work. It never waits for the interval: a consumer's next batch
   * waits for its invocation, `waitUntil` included, so a timer here would hold the queue.
   */
  flushBatch(env: Bindings, waitUntil: (promise: Promise<unknown>) => void): void {
    const inFlight = this.#flushing;
    waitUntil(inFlight ? inFlight.then(() => this.flush(env)) : this.flush(env));
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
      await Promise.race([
        metricsObject(env).ingest(batch),
        new Promise((_, reject) => setTimeout(() => reject(new Error("metrics flush timed out")), FLUSH_TIMEOUT_MS)),
      ]);
    } catch (error) {
      mergeAggregate(this.#pending, batch);
      log("warn", "metrics flush failed; counts kept for the next", { error: describeError(error) });
    }
  }
}

export const metrics = new MetricsBuffer();
