/**
 * *When* a circuit opens is a strategy, separate from the state machine: the breaker feeds
 * it the outcomes it sees while CLOSED and opens when it says so. Strategies keep plain
 * numbers, take time as an argument (from the breaker's Clock), and serialise to JSON so a
 * Durable Object can persist them with the breaker.
 *
 * One strategy instance belongs to one breaker: it holds that breaker's counts.
 */
import { z } from "zod";
import { SlidingWindow } from "./sliding-window";

// What `toJSON()` wrote, read back from storage: anything else restores nothing.
const count = z.int().min(0);
const ConsecutiveFailuresSnapshot = z.object({ kind: z.literal("consecutive-failures"), count });
const FailureRateSnapshot = z.object({
  kind: z.literal("failure-rate"),
  bucketMs: z.number(),
  /** `[bucket, successes, failures]`, as `SlidingWindow.toJSON()` writes them. */
  buckets: z.array(z.tuple([z.int(), count, count])),
});

/** Outcomes observed at one time: one call (`1, 0` / `0, 1`) or a batch from an isolate. */
export interface OutcomeCounts {
  successes: number;
  failures: number;
  /** When they happened (ms, the clock's epoch). */
  at: number;
}

/** A strategy's JSON form: `kind` names the strategy, the rest is its own. */
export interface StrategySnapshot {
  kind: string;
  [field: string]: unknown;
}

export interface TripStrategy {
  /** Adds outcomes; returns true when, with them counted, the circuit should open. */
  record(outcome: OutcomeCounts, now: number): boolean;
  /** Forgets everything (the breaker calls it whenever it closes). */
  reset(): void;
  toJSON(): StrategySnapshot;
  /**
   * Loads a snapshot from `toJSON()`. Returns false, and stays reset, when the snapshot is
   * of another kind or shape (e.g. written by a deploy with a different configuration).
   */
  restore(snapshot: unknown): boolean;
}

/**
 * Opens after `threshold` failures in a row; any success resets the count. Simple and
 * quick to react, but blind to a dependency failing every other call: see {@link FailureRate}.
 * A batch with both successes and failures counts as its successes followed by its failures
 * (a batch does not say in which order they came; this reading errs toward opening).
 *
 * @example
 * new CircuitBreaker({ name: "neon", strategy: new ConsecutiveFailures(5), breakDurationMs: 10_000 });
 */
export class ConsecutiveFailures implements TripStrategy {
  #count = 0;

  constructor(readonly threshold: number) {
    if (!Number.isInteger(threshold) || threshold < 1) throw new RangeError("threshold must be an integer ≥ 1");
  }

  /** Failures in a row so far. */
  get count(): number {
    return this.#count;
  }

  record({ successes, failures }: OutcomeCounts): boolean {
    if (successes > 0) this.#count = 0;
    this.#count += failures;
    return failures > 0 && this.#count >= this.threshold;
  }

  reset(): void {
    this.#count = 0;
  }

  toJSON(): StrategySnapshot {
    return { kind: "consecutive-failures", count: this.#count };
  }

  restore(snapshot: unknown): boolean {
    this.reset();
    const parsed = ConsecutiveFailuresSnapshot.safeParse(snapshot);
    if (!parsed.success) return false;
    this.#count = parsed.data.count;
    return true;
  }
}

export interface FailureRateOptions {
  /** Opens when failures / calls ≥ this, in (0, 1]. */
  threshold: number;
  /** …and at least this many calls were seen in the window, so 1 failure of 2 calls does not open it. */
  minThroughput: number;
  /** Length of the sliding window (ms). */
  windowMs: number;
  /** Resolution of the window; memory is O(buckets). Default 10. */
  buckets?: number;
}

/**
 * Opens when the share of failures over a sliding window reaches `threshold`, once the
 * window holds at least `minThroughput` calls. Outcomes reported with an `at` older than the
 * window are ignored; an `at` slightly in the future (another isolate's clock) counts as now.
 *
 * @example
 * new FailureRate({ threshold: 0.5, minThroughput: 20, windowMs: 30_000 });
 */
export class FailureRate implements TripStrategy {
  readonly threshold: number;
  readonly minThroughput: number;
  /** Successes and failures over the window. */
  readonly #window: SlidingWindow;

  constructor(options: FailureRateOptions) {
    if (!(options.threshold > 0 && options.threshold <= 1)) throw new RangeError("threshold must be in (0, 1]");
    if (!Number.isInteger(options.minThroughput) || options.minThroughput < 1) {
      throw new RangeError("minThroughput must be an integer ≥ 1");
    }
    this.threshold = options.threshold;
    this.minThroughput = options.minThroughput;
    this.#window = new SlidingWindow(options.windowMs, options.buckets);
  }

  /** Calls and failures in the window as of `now`. */
  totals(now: number): { calls: number; failures: number } {
    const [successes, failures] = this.#window.totals(now);
    return { calls: successes + failures, failures };
  }

  record({ successes, failures, at }: OutcomeCounts, now: number): boolean {
    if (!this.#window.add(at, successes, failures, now) || failures === 0) return false;
    const totals = this.totals(now);
    return totals.calls >= this.minThroughput && totals.failures / totals.calls >= this.threshold;
  }

  reset(): void {
    this.#window.reset();
  }

  toJSON(): StrategySnapshot {
    return { kind: "failure-rate", bucketMs: this.#window.bucketMs, buckets: this.#window.toJSON() };
  }

  restore(snapshot: unknown): boolean {
    this.reset();
    const parsed = FailureRateSnapshot.safeParse(snapshot);
    // Another bucket width means another configuration: its counts do not line up with ours.
    if (!parsed.success || parsed.data.bucketMs !== this.#window.bucketMs) return false;
    this.#window.load(parsed.data.buckets);
    return true;
  }
}
