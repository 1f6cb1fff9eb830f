/**
 * Two counts (successes and failures, calls and retries) over a sliding window of time, kept
 * per bucket of `windowMs / buckets` in a fixed ring: memory is O(buckets) however much
 * traffic there is. The window slides a bucket at a time, so it spans between
 * `windowMs − bucketMs` and `windowMs`.
 *
 * Buckets are absolute (⌊time / bucketMs⌋): counts reported with another machine's time (an
 * isolate's batch) land in the bucket they belong to, and a clock that steps back leaves
 * "future" buckets, which are ignored rather than counted twice.
 *
 * @example
 * const window = new SlidingWindow(10_000, 10);
 * window.add(now, 1, 0, now);
 * const [successes, failures] = window.totals(now);
 */
export class SlidingWindow {
  readonly bucketMs: number;
  /** Which absolute bucket each ring slot holds. */
  readonly #bucketOf: number[];
  readonly #first: number[];
  readonly #second: number[];

  constructor(windowMs: number, buckets = 10) {
    if (!(windowMs > 0)) throw new RangeError("windowMs must be > 0");
    if (!Number.isInteger(buckets) || buckets < 1) throw new RangeError("buckets must be an integer ≥ 1");
    this.bucketMs = windowMs / buckets;
    this.#bucketOf = new Array<number>(buckets).fill(Number.NEGATIVE_INFINITY);
    this.#first = new Array<number>(buckets).fill(0);
    this.#second = new Array<number>(buckets).fill(0);
  }

  /**
   * Adds counts that happened at `at`; an `at` slightly in the future (another machine's
   * clock) counts as now. Returns false, adding nothing, when `at` is older than the window.
   */
  add(at: number, first: number, second: number, now: number): boolean {
    const current = Math.floor(now / this.bucketMs);
    const bucket = Math.min(Math.floor(at / this.bucketMs), current);
    if (!this.#isLive(bucket, current)) return false;
    const slot = this.#slot(bucket);
    this.#first[slot] = (this.#first[slot] ?? 0) + first;
    this.#second[slot] = (this.#second[slot] ?? 0) + second;
    return true;
  }

  /** Both counts over the window as of `now`. */
  totals(now: number): [first: number, second: number] {
    const current = Math.floor(now / this.bucketMs);
    let first = 0;
    let second = 0;
    this.#bucketOf.forEach((bucket, slot) => {
      if (this.#isLive(bucket, current)) {
        first += this.#first[slot] ?? 0;
        second += this.#second[slot] ?? 0;
      }
    });
    return [first, second];
  }

  reset(): void {
    this.#bucketOf.fill(Number.NEGATIVE_INFINITY);
    this.#first.fill(0);
    this.#second.fill(0);
  }

  /** The buckets that hold counts, as `[bucket, first, second]`: plain JSON for a snapshot. */
  toJSON(): [bucket: number, first: number, second: number][] {
    const entries: [number, number, number][] = [];
    this.#bucketOf.forEach((bucket, slot) => {
      const first = this.#first[slot] ?? 0;
      const second = this.#second[slot] ?? 0;
      if (Number.isFinite(bucket) && first + second > 0) entries.push([bucket, first, second]);
    });
    return entries;
  }

  /** Replaces the counts with entries from `toJSON()`. */
  load(entries: readonly (readonly [number, number, number])[]): void {
    this.reset();
    // Oldest first, so when two entries share a slot the newer one stays.
    for (const [bucket, first, second] of [...entries].sort((a, b) => a[0] - b[0])) {
      const slot = this.#slot(bucket);
      this.#first[slot] = first;
      this.#second[slot] = second;
    }
  }

  #isLive(bucket: number, current: number): boolean {
    return bucket > current - this.#bucketOf.length && bucket <= current;
  }

  /** The ring slot for `bucket`, emptied first if it holds another bucket. */
  #slot(bucket: number): number {
    const size = this.#bucketOf.length;
    const slot = ((bucket % size) + size) % size;
    if (this.#bucketOf[slot] !== bucket) {
      this.#bucketOf[slot] = bucket;
      this.#first[slot] = 0;
      this.#second[slot] = 0;
    }
    return slot;
  }
}
