import { type Clock, systemClock } from "./clock";
import { SlidingWindow } from "./sliding-window";

/**
 * Caps retries as a share of calls, so retries cannot multiply the load on a dependency
 * that is already failing: during a full outage every call fails, and without a budget
 * each one would turn into `maxAttempts` requests. A `maxAttempts` per call bounds one
 * caller; a budget bounds the whole isolate.
 */
export interface RetryBudget {
  /** Counts one call (not attempt): each call earns `ratio` retries. */
  recordCall(): void;
  /** Claims one retry if the budget allows it now; a claimed retry is spent. */
  tryAcquireRetry(): boolean;
  /** Calls and retries in the current window, and how many retries are still available. */
  stats(): RetryBudgetStats;
}

export interface RetryBudgetStats {
  calls: number;
  retries: number;
  available: number;
}

export interface RetryBudgetOptions {
  /** Retries allowed per call in the window, e.g. 0.1: at most 10% extra load. */
  ratio: number;
  /** Retries allowed per window regardless of traffic, so a quiet isolate can still retry. */
  minRetriesPerWindow: number;
  /** Length of the sliding window (ms). */
  windowMs: number;
  /** Resolution of the window; memory is O(buckets). Default 10. */
  buckets?: number;
  clock?: Clock;
}

/**
 * A sliding-window retry budget (the Finagle/gRPC idea): over the last `windowMs`,
 * retries ≤ `minRetriesPerWindow` + `ratio` × calls, counted in a {@link SlidingWindow}.
 *
 * @example
 * const budget = retryBudget({ ratio: 0.1, minRetriesPerWindow: 10, windowMs: 10_000 });
 * budget.recordCall();
 * if (budget.tryAcquireRetry()) { ... retry ... }
 */
export function retryBudget(options: RetryBudgetOptions): RetryBudget {
  return new SlidingRetryBudget(options);
}

class SlidingRetryBudget implements RetryBudget {
  readonly #ratio: number;
  readonly #min: number;
  readonly #clock: Clock;
  /** Calls and retries over the window. */
  readonly #window: SlidingWindow;

  constructor(options: RetryBudgetOptions) {
    if (!(options.ratio >= 0)) throw new RangeError("ratio must be ≥ 0");
    if (!(options.minRetriesPerWindow >= 0)) throw new RangeError("minRetriesPerWindow must be ≥ 0");
    this.#ratio = options.ratio;
    this.#min = options.minRetriesPerWindow;
    this.#clock = options.clock ?? systemClock;
    this.#window = new SlidingWindow(options.windowMs, options.buckets);
  }

  recordCall(): void {
    const now = this.#clock.now();
    this.#window.add(now, 1, 0, now);
  }

  tryAcquireRetry(): boolean {
    const now = this.#clock.now();
    if (this.#statsAt(now).available < 1) return false;
    this.#window.add(now, 0, 1, now);
    return true;
  }

  stats(): RetryBudgetStats {
    return this.#statsAt(this.#clock.now());
  }

  #statsAt(now: number): RetryBudgetStats {
    const [calls, retries] = this.#window.totals(now);
    return { calls, retries, available: Math.max(0, this.#min + this.#ratio * calls - retries) };
  }
}
