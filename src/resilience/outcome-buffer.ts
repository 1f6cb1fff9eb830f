import type { Outcome } from "./circuit-breaker";
import { type Clock, systemClock } from "./clock";

export interface OutcomeBufferOptions {
  /** Outcomes within one bucket (ms) are reported as one count. Default 1 000. */
  bucketMs?: number;
  /** At most this many buckets are kept between drains; older ones are dropped. Default 60. */
  maxBuckets?: number;
  clock?: Clock;
}

/**
 * Collects an isolate's call outcomes for a dependency until they are sent to the breaker's
 * Durable Object in one batch (`recordOutcomes`): one message per flush instead of one per
 * call, and memory bounded by `maxBuckets` however many calls are made or however long
 * the Durable Object is unreachable.
 *
 * @example
 * const outcomes = new OutcomeBuffer();
 * outcomes.record(true);
 * ctx.waitUntil(stub.recordOutcomes(outcomes.drain()));
 */
export class OutcomeBuffer {
  readonly #bucketMs: number;
  readonly #maxBuckets: number;
  readonly #clock: Clock;
  /** Bucket index → counts, in insertion (time) order. */
  readonly #buckets = new Map<number, { successes: number; failures: number; at: number }>();

  constructor(options: OutcomeBufferOptions = {}) {
    this.#bucketMs = options.bucketMs ?? 1_000;
    this.#maxBuckets = options.maxBuckets ?? 60;
    this.#clock = options.clock ?? systemClock;
    if (!(this.#bucketMs > 0)) throw new RangeError("bucketMs must be > 0");
    if (!Number.isInteger(this.#maxBuckets) || this.#maxBuckets < 1) throw new RangeError("maxBuckets must be an integer ≥ 1");
  }

  /** Outcomes waiting to be sent. */
  get size(): number {
    let total = 0;
    for (const counts of this.#buckets.values()) total += counts.successes + counts.failures;
    return total;
  }

  record(ok: boolean): void {
    const now = this.#clock.now();
    const index = Math.floor(now / this.#bucketMs);
    let counts = this.#buckets.get(index);
    if (!counts) {
      // `at` is the bucket's first outcome: a breaker ignores outcomes from before it
      // closed, and a bucket straddling the close is better dropped than counted late.
      counts = { successes: 0, failures: 0, at: now };
      this.#buckets.set(index, counts);
      this.#evict();
    }
    if (ok) counts.successes++;
    else counts.failures++;
  }

  /** Takes everything recorded so far, oldest first, and empties the buffer. */
  drain(): Outcome[] {
    const batch = [...this.#buckets.values()];
    this.#buckets.clear();
    return batch;
  }

  #evict(): void {
    while (this.#buckets.size > this.#maxBuckets) {
      const oldest = this.#buckets.keys().next();
      if (oldest.done === true) return;
      this.#buckets.delete(oldest.value);
    }
  }
}
