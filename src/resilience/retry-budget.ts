import { type Clock, systemClock } from "./clock";

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
 * retries ≤ `minRetriesPerWindow` + `ratio` × calls. Counts are kept per bucket of
 * `windowMs / buckets`, so memory does not grow with traffic; the window slides a bucket at
 * a time, which means it spans between `windowMs − windowMs/buckets` and `windowMs`.
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
  readonly #bucketMs: number;
  readonly #clock: Clock;
  /** Which absolute bucket (⌊time / bucketMs⌋) each ring slot currently holds. */
  readonly #slotOf: number[];
  readonly #calls: number[];
  readonly #retries: number[];

  constructor(options: RetryBudgetOptions) {
    const buckets = options.buckets ?? 10;
    if (!(options.ratio >= 0)) throw new RangeError("ratio must be ≥ 0");
    if (!(options.minRetriesPerWindow >= 0)) throw new RangeError("minRetriesPerWindow must be ≥ 0");
    if (!(options.windowMs > 0)) throw new RangeError("windowMs must be > 0");
    if (!Number.isInteger(buckets) || buckets < 1) throw new RangeError("buckets must be an integer ≥ 1");
    this.#ratio = options.ratio;
    this.#min = options.minRetriesPerWindow;
    this.#bucketMs = options.windowMs / buckets;
    this.#clock = options.clock ?? systemClock;
    this.#slotOf = new Array<number>(buckets).fill(Number.NEGATIVE_INFINITY);
    this.#calls = new Array<number>(buckets).fill(0);
    this.#retries = new Array<number>(buckets).fill(0);
  }

  recordCall(): void {
    const slot = this.#currentSlot();
    this.#calls[slot] = (this.#calls[slot] ?? 0) + 1;
  }

  tryAcquireRetry(): boolean {
    if (this.stats().available < 1) return false;
    const slot = this.#currentSlot();
    this.#retries[slot] = (this.#retries[slot] ?? 0) + 1;
    return true;
  }

  stats(): RetryBudgetStats {
    const current = this.#bucketIndex();
    const size = this.#slotOf.length;
    let calls = 0;
    let retries = 0;
    for (let slot = 0; slot < size; slot++) {
      const bucket = this.#slotOf[slot] ?? Number.NEGATIVE_INFINITY;
      // Live buckets are the last `size` ones; a clock that stepped back leaves some "future"
      // buckets, which are ignored rather than counted twice.
      if (bucket > current - size && bucket <= current) {
        calls += this.#calls[slot] ?? 0;
        retries += this.#retries[slot] ?? 0;
      }
    }
    return { calls, retries, available: Math.max(0, this.#min + this.#ratio * calls - retries) };
  }

  #bucketIndex(): number {
    return Math.floor(this.#clock.now() / this.#bucketMs);
  }

  /** The ring slot of the current bucket, emptied first if it still holds an old bucket. */
  #currentSlot(): number {
    const bucket = this.#bucketIndex();
    const size = this.#slotOf.length;
    const slot = ((bucket % size) + size) % size;
    if (this.#slotOf[slot] !== bucket) {
      this.#slotOf[slot] = bucket;
      this.#calls[slot] = 0;
      this.#retries[slot] = 0;
    }
    return slot;
  }
}
