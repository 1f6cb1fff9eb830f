import type { Breaker, BreakerState, Snapshot } from "./types.js";

/**
 * The last minutes of snapshots, kept in the page: the metrics are running totals (requests,
 * errors, latency buckets since they began), so rates and recent percentiles are the
 * differences between two snapshots. Nothing is stored anywhere else; a reload starts over.
 */
export const WINDOW_MS = 5 * 60_000;
/** Recent percentiles are taken over this much time behind each point, so a quiet second does not draw a gap. */
const SMOOTHING_MS = 20_000;

interface Totals {
  count: number;
  errors: number;
  buckets: number[];
}

interface Sample {
  at: number;
  routes: Map<string, Totals>;
  dependencies: Map<string, Totals>;
  cache: { hits: number; misses: number } | undefined;
  breakers: Map<string, { successes: number; failures: number }>;
}

/** One point of a series: the change over the interval that ends at `at`. */
export interface Point {
  at: number;
  /** Per second. */
  rate: number | null;
  /** Errors (5xx for routes) in the interval. */
  errors: number | null;
  p50: number | null;
  p99: number | null;
}

export interface Transition {
  name: string;
  from: BreakerState | null;
  to: BreakerState;
  at: number;
}

/** The q-quantile of latency buckets (the last one +Inf), interpolated inside its bucket as the server does. */
export function quantile(buckets: readonly number[], bounds: readonly number[], q: number): number | null {
  const count = buckets.reduce((sum, n) => sum + n, 0);
  if (count === 0) return null;
  const rank = q * count;
  let seen = 0;
  for (let i = 0; i < buckets.length; i++) {
    const n = buckets[i] ?? 0;
    if (n > 0 && seen + n >= rank) {
      const lower = i === 0 ? 0 : (bounds[i - 1] ?? 0);
      const upper = bounds[i] ?? lower;
      return lower + (upper - lower) * ((rank - seen) / n);
    }
    seen += n;
  }
  return bounds.at(-1) ?? null;
}

/** `later - earlier` per bucket; undefined when a total went down (the metrics started over). */
function bucketDelta(later: readonly number[], earlier: readonly number[] | undefined): number[] | undefined {
  const delta = later.map((n, i) => n - (earlier?.[i] ?? 0));
  return delta.some((n) => n < 0) ? undefined : delta;
}

export class History {
  readonly #samples: Sample[] = [];
  readonly #transitions: Transition[] = [];
  #bounds: number[] = [];
  #states = new Map<string, BreakerState>();

  add(snapshot: Snapshot, at = Date.parse(snapshot.at)): void {
    const sample: Sample = { at, routes: new Map(), dependencies: new Map(), cache: undefined, breakers: new Map() };
    if (snapshot.metrics.ok) {
      const { summary, histograms } = snapshot.metrics.data;
      this.#bounds = histograms.boundsMs;
      for (const route of summary.routes ?? []) {
        const key = `${route.method} ${route.route}`;
        sample.routes.set(key, { count: route.count, errors: route.errors, buckets: histograms.routes[key] ?? [] });
      }
      for (const dependency of summary.dependencies ?? []) {
        sample.dependencies.set(dependency.name, { count: dependency.calls, errors: dependency.errors, buckets: histograms.dependencies[dependency.name] ?? [] });
      }
    }
    if (snapshot.cache.ok) sample.cache = { hits: snapshot.cache.data.hits, misses: snapshot.cache.data.misses };
    if (snapshot.breakers.ok) {
      for (const breaker of snapshot.breakers.data) {
        sample.breakers.set(breaker.name, { successes: breaker.counters.successes, failures: breaker.counters.failures });
        this.#noteState(breaker, at);
      }
    }
    this.#samples.push(sample);
    while (this.#samples.length > 0 && (this.#samples[0]?.at ?? at) < at - WINDOW_MS) this.#samples.shift();
  }

  /** Breaker transitions seen by this page (and each breaker's last one, from its counters), newest first. */
  transitions(): readonly Transition[] {
    return this.#transitions;
  }

  /** The route keys (`GET /products`) with traffic in the window, busiest first. */
  activeRoutes(): string[] {
    return this.#active((sample) => sample.routes);
  }

  activeDependencies(): string[] {
    return this.#active((sample) => sample.dependencies);
  }

  routeSeries(key: string): Point[] {
    return this.#series((sample) => sample.routes.get(key));
  }

  dependencySeries(name: string): Point[] {
    return this.#series((sample) => sample.dependencies.get(name));
  }

  /** Totals over the whole window for one route or dependency: requests, errors, p50 and p99. */
  windowTotals(kind: "routes" | "dependencies", key: string): { count: number; errors: number; p50: number | null; p99: number | null } | undefined {
    const first = this.#samples[0]?.[kind].get(key);
    const last = this.#samples.at(-1)?.[kind].get(key);
    if (!last) return undefined;
    const delta = bucketDelta(last.buckets, first?.buckets);
    const count = last.count - (first?.count ?? 0);
    if (!delta || count < 0) return undefined;
    return { count, errors: last.errors - (first?.errors ?? 0), p50: quantile(delta, this.#bounds, 0.5), p99: quantile(delta, this.#bounds, 0.99) };
  }

  /** The cache's hit ratio per interval (null when nothing was read), and over the window. */
  cacheRatio(): { series: (number | null)[]; window: number | null } {
    const series = this.#pairs().map(([earlier, later]) => ratio(later.cache, earlier.cache));
    return { series, window: ratio(this.#samples.at(-1)?.cache, this.#samples[0]?.cache) };
  }

  /** A breaker's failure rate over the window, from its success and failure totals. */
  breakerFailureRate(name: string): number | null {
    const first = this.#samples[0]?.breakers.get(name);
    const last = this.#samples.at(-1)?.breakers.get(name);
    if (!first || !last) return null;
    const failures = last.failures - first.failures;
    const calls = failures + last.successes - first.successes;
    return calls > 0 && failures >= 0 ? failures / calls : null;
  }

  /** Seconds the window spans so far. */
  spanSeconds(): number {
    const first = this.#samples[0];
    const last = this.#samples.at(-1);
    return first && last ? (last.at - first.at) / 1000 : 0;
  }

  #noteState(breaker: Breaker, at: number): void {
    const previous = this.#states.get(breaker.name);
    const state = breaker.view.state;
    if (previous === undefined && breaker.counters.lastTransitionAt !== null) {
      this.#transitions.push({ name: breaker.name, from: null, to: state, at: breaker.counters.lastTransitionAt });
    } else if (previous !== undefined && previous !== state) {
      this.#transitions.push({ name: breaker.name, from: previous, to: state, at: breaker.counters.lastTransitionAt ?? at });
    }
    this.#transitions.sort((a, b) => b.at - a.at);
    this.#transitions.splice(20);
    this.#states.set(breaker.name, state);
  }

  #active(of: (sample: Sample) => Map<string, Totals>): string[] {
    const first = this.#samples[0];
    const last = this.#samples.at(-1);
    if (!first || !last) return [];
    const moved = [...of(last).entries()]
      .map(([key, totals]) => ({ key, count: totals.count - (of(first).get(key)?.count ?? 0) }))
      .filter(({ count }) => count > 0 || this.#samples.length === 1);
    return moved.sort((a, b) => b.count - a.count).map(({ key }) => key);
  }

  #pairs(): [Sample, Sample][] {
    return this.#samples.slice(1).map((sample, i) => [this.#samples[i] as Sample, sample]);
  }

  #series(of: (sample: Sample) => Totals | undefined): Point[] {
    return this.#pairs().map(([earlier, later]) => {
      const now = of(later);
      const before = of(earlier);
      const seconds = (later.at - earlier.at) / 1000;
      if (!now || seconds <= 0) return { at: later.at, rate: null, errors: null, p50: null, p99: null };
      const count = now.count - (before?.count ?? 0);
      const errors = now.errors - (before?.errors ?? 0);
      // Percentiles over the smoothing span behind this point (at least this interval).
      const base = this.#samples.find((sample) => sample.at >= later.at - SMOOTHING_MS && sample !== later) ?? earlier;
      const delta = bucketDelta(now.buckets, of(base)?.buckets);
      return {
        at: later.at,
        rate: count >= 0 ? count / seconds : null,
        errors: errors >= 0 ? errors : null,
        p50: delta ? quantile(delta, this.#bounds, 0.5) : null,
        p99: delta ? quantile(delta, this.#bounds, 0.99) : null,
      };
    });
  }
}

function ratio(later: { hits: number; misses: number } | undefined, earlier: { hits: number; misses: number } | undefined): number | null {
  if (!later) return null;
  const hits = later.hits - (earlier?.hits ?? 0);
  const reads = hits + later.misses - (earlier?.misses ?? 0);
  return reads > 0 && hits >= 0 ? hits / reads : null;
}
