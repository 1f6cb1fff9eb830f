/**
 * Delays between retries: exponential growth spaces retries out while a dependency recovers,
 * and full jitter spreads the retries of many callers so they do not arrive in waves (the
 * lowest total load on the dependency in AWS's measurements, "Exponential Backoff and
 * Jitter"):
 *
 *   delay(n) = random(0, min(cap, base · 2^n))   for n = 0, 1, 2, …
 *
 * where random(a, b) is uniform in [a, b), base is `initialDelayMs` and cap is `maxDelayMs`.
 */

/** A source of uniform numbers in [0, 1), like `Math.random`; injectable for tests. */
export type RandomSource = () => number;

/** The delays of one execution, in order: the first `next()` is the wait before retry 1. */
export interface DelaySequence {
  next(): number;
}

/** A backoff strategy. It is stateless and shared; each execution calls `start()` for its own sequence. */
export interface Backoff {
  start(): DelaySequence;
}

export interface ExponentialBackoffOptions {
  /** The base delay (ms). */
  initialDelayMs: number;
  /** No delay exceeds this (ms). Must be ≥ `initialDelayMs`. */
  maxDelayMs: number;
  /** Default `Math.random`. */
  random?: RandomSource;
}

/**
 * Exponential backoff with full jitter.
 *
 * @example
 * const delays = exponentialBackoff({ initialDelayMs: 50, maxDelayMs: 1_000 }).start();
 * delays.next(); // in [0, 50)
 * delays.next(); // in [0, 100)
 */
export function exponentialBackoff(options: ExponentialBackoffOptions): Backoff {
  const { initialDelayMs: base, maxDelayMs: cap } = options;
  if (!(base >= 0) || !Number.isFinite(base)) throw new RangeError("initialDelayMs must be a finite number ≥ 0");
  if (!(cap >= base)) throw new RangeError("maxDelayMs must be ≥ initialDelayMs");
  const random = options.random ?? Math.random;
  return {
    start() {
      let n = 0;
      return { next: () => between(random, 0, exponentialCeiling(base, cap, n++)) };
    },
  };
}

/**
 * min(cap, base · 2^n), without overflowing to Infinity for large n: the ceiling of the
 * n-th delay (from 0) that exponential backoff draws under.
 */
export function exponentialCeiling(base: number, cap: number, n: number): number {
  if (base === 0) return 0;
  const growth = 2 ** n;
  // 2^1024 is Infinity, and 0 · Infinity would be NaN; past that the cap applies anyway.
  return Number.isFinite(growth) ? Math.min(cap, base * growth) : cap;
}

/** Uniform in [low, high); a random source that misbehaves is clamped into range. */
function between(random: RandomSource, low: number, high: number): number {
  const r = Math.min(Math.max(random(), 0), 1);
  const value = low + r * (high - low);
  return Math.min(Math.max(value, low), high);
}
