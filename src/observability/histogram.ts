/** Upper bounds (ms) of the latency buckets: Prometheus-style, cumulative when rendered. */
export const LATENCY_BUCKETS_MS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000] as const;

/** Counts per bucket (the last one is +Inf), their sum and their number. */
export interface Histogram {
  buckets: number[];
  sum: number;
  count: number;
}

export const emptyHistogram = (): Histogram => ({ buckets: new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0), sum: 0, count: 0 });

export function observe(histogram: Histogram, ms: number): void {
  const index = LATENCY_BUCKETS_MS.findIndex((bound) => ms <= bound);
  const slot = index === -1 ? LATENCY_BUCKETS_MS.length : index;
  histogram.buckets[slot] = (histogram.buckets[slot] ?? 0) + 1;
  histogram.sum += ms;
  histogram.count++;
}

export function merge(into: Histogram, from: Histogram): void {
  from.buckets.forEach((n, i) => (into.buckets[i] = (into.buckets[i] ?? 0) + n));
  into.sum += from.sum;
  into.count += from.count;
}

/**
 * The q-quantile (0–1) estimated from the buckets, interpolating linearly inside the bucket
 * that holds it, as Prometheus's `histogram_quantile` does. Undefined with no observations.
 */
export function quantile(histogram: Histogram, q: number): number | undefined {
  if (histogram.count === 0) return undefined;
  const rank = q * histogram.count;
  let seen = 0;
  for (let i = 0; i < histogram.buckets.length; i++) {
    const n = histogram.buckets[i] ?? 0;
    if (n > 0 && seen + n >= rank) {
      const lower = i === 0 ? 0 : (LATENCY_BUCKETS_MS[i - 1] ?? 0);
      const upper = LATENCY_BUCKETS_MS[i] ?? lower; // +Inf: the last finite bound
      return lower + (upper - lower) * ((rank - seen) / n);
    }
    seen += n;
  }
  return LATENCY_BUCKETS_MS.at(-1);
}
