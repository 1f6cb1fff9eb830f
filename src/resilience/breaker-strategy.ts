/**
 * *When* a circuit opens is a strategy, separate from the state machine: the breaker feeds
 * it the outcomes it sees while CLOSED and opens when it says so. Strategies keep plain
 * numbers, take time as an argument (from the breaker's Clock), and serialise to JSON so a
 * Durable Object can persist them with the breaker.
 *
 * One strategy instance belongs to one breaker: it holds that breaker's counts.
 */

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
 * circuitBreaker({ name: "neon", strategy: new ConsecutiveFailures(5), breakDurationMs: 10_000 });
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
    if (!isSnapshotOf(snapshot, "consecutive-failures")) return false;
    const { count } = snapshot;
    if (!isCount(count)) return false;
    this.#count = count;
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
 * window holds at least `minThroughput` calls. Counts are kept per bucket of
 * `windowMs / buckets`; the window slides a bucket at a time. Outcomes reported with an
 * `at` older than the window are ignored; an `at` slightly in the future (another isolate's
 * clock) counts as now.
 *
 * @example
 * new FailureRate({ threshold: 0.5, minThroughput: 20, windowMs: 30_000 });
 */
export class FailureRate implements TripStrategy {
  readonly threshold: number;
  readonly minThroughput: number;
  readonly bucketMs: number;
  /** Which absolute bucket (⌊at / bucketMs⌋) each ring slot holds. */
  readonly #slotOf: number[];
  readonly #successes: number[];
  readonly #failures: number[];

  constructor(options: FailureRateOptions) {
    const buckets = options.buckets ?? 10;
    if (!(options.threshold > 0 && options.threshold <= 1)) throw new RangeError("threshold must be in (0, 1]");
    if (!Number.isInteger(options.minThroughput) || options.minThroughput < 1) {
      throw new RangeError("minThroughput must be an integer ≥ 1");
    }
    if (!(options.windowMs > 0)) throw new RangeError("windowMs must be > 0");
    if (!Number.isInteger(buckets) || buckets < 1) throw new RangeError("buckets must be an integer ≥ 1");
    this.threshold = options.threshold;
    this.minThroughput = options.minThroughput;
    this.bucketMs = options.windowMs / buckets;
    this.#slotOf = new Array<number>(buckets).fill(Number.NEGATIVE_INFINITY);
    this.#successes = new Array<number>(buckets).fill(0);
    this.#failures = new Array<number>(buckets).fill(0);
  }

  /** Calls and failures in the window as of `now`. */
  totals(now: number): { calls: number; failures: number } {
    const current = Math.floor(now / this.bucketMs);
    let calls = 0;
    let failures = 0;
    this.#slotOf.forEach((bucket, slot) => {
      if (this.#isLive(bucket, current)) {
        const f = this.#failures[slot] ?? 0;
        calls += (this.#successes[slot] ?? 0) + f;
        failures += f;
      }
    });
    return { calls, failures };
  }

  record({ successes, failures, at }: OutcomeCounts, now: number): boolean {
    const current = Math.floor(now / this.bucketMs);
    const bucket = Math.min(Math.floor(at / this.bucketMs), current);
    if (!this.#isLive(bucket, current)) return false;
    const slot = this.#slot(bucket);
    this.#successes[slot] = (this.#successes[slot] ?? 0) + successes;
    this.#failures[slot] = (this.#failures[slot] ?? 0) + failures;
    if (failures === 0) return false;
    const totals = this.totals(now);
    return totals.calls >= this.minThroughput && totals.failures / totals.calls >= this.threshold;
  }

  reset(): void {
    this.#slotOf.fill(Number.NEGATIVE_INFINITY);
    this.#successes.fill(0);
    this.#failures.fill(0);
  }

  toJSON(): StrategySnapshot {
    const buckets: [number, number, number][] = [];
    this.#slotOf.forEach((bucket, slot) => {
      const s = this.#successes[slot] ?? 0;
      const f = this.#failures[slot] ?? 0;
      if (Number.isFinite(bucket) && s + f > 0) buckets.push([bucket, s, f]);
    });
    return { kind: "failure-rate", bucketMs: this.bucketMs, buckets };
  }

  restore(snapshot: unknown): boolean {
    this.reset();
    if (!isSnapshotOf(snapshot, "failure-rate")) return false;
    const { bucketMs, buckets } = snapshot;
    // Another bucket width means another configuration: its counts do not line up with ours.
    if (bucketMs !== this.bucketMs || !Array.isArray(buckets)) return false;
    const entries = buckets as unknown[];
    if (!entries.every(isBucketEntry)) return false;
    // Oldest first, so when two entries share a slot the newer one stays.
    for (const [bucket, s, f] of [...entries].sort((a, b) => a[0] - b[0])) {
      const slot = this.#slot(bucket);
      this.#successes[slot] = s;
      this.#failures[slot] = f;
    }
    return true;
  }

  #isLive(bucket: number, current: number): boolean {
    return bucket > current - this.#slotOf.length && bucket <= current;
  }

  /** The ring slot for `bucket`, emptied first if it holds another bucket. */
  #slot(bucket: number): number {
    const size = this.#slotOf.length;
    const slot = ((bucket % size) + size) % size;
    if (this.#slotOf[slot] !== bucket) {
      this.#slotOf[slot] = bucket;
      this.#successes[slot] = 0;
      this.#failures[slot] = 0;
    }
    return slot;
  }
}

function isSnapshotOf(value: unknown, kind: string): value is StrategySnapshot {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === kind;
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0;
}

function isBucketEntry(value: unknown): value is [number, number, number] {
  return (
    Array.isArray(value) &&
    value.length === 3 &&
    Number.isInteger(value[0]) &&
    isCount(value[1]) &&
    isCount(value[2])
  );
}
