/**
 * Delays between retries. Exponential growth spaces retries out while a dependency
 * recovers; jitter spreads the retries of many callers so they do not arrive in waves.
 * Definitions from the AWS Architecture Blog, "Exponential Backoff and Jitter":
 *
 * - full:         delay(n) = random(0, min(cap, base · 2^n))       for n = 0, 1, 2, …
 * - decorrelated: delay(n) = min(cap, random(base, 3 · delay(n−1))), delay(−1) = base
 * - none:         delay(n) = min(cap, base · 2^n)
 *
 * where random(a, b) is uniform in [a, b), base is `initialDelayMs` and cap is `maxDelayMs`.
 */

/** A source of uniform numbers in [0, 1), like `Math.random`; injectable for tests. */
export type RandomSource = () => number;

/** The delays of one execution, in order: the first `next()` is the wait before retry 1. */
export interface DelaySequence {
  next(): number;
}

/**
 * A backoff strategy. It is stateless and shared; each execution calls `start()` for its own
 * sequence (decorrelated jitter depends on the previous delay of that execution only).
 */
export interface Backoff {
  start(): DelaySequence;
}

export type Jitter = "full" | "decorrelated" | "none";

export interface ExponentialBackoffOptions {
  /** The base delay (ms). */
  initialDelayMs: number;
  /** No delay exceeds this (ms). Must be ≥ `initialDelayMs`. */
  maxDelayMs: number;
  /** Default `"full"`: the lowest total load on the dependency in AWS's measurements. */
  jitter?: Jitter;
  /** Default `Math.random`. */
  random?: RandomSource;
}

/**
 * Exponential backoff with optional jitter.
 *
 * @example
 * const backoff = exponentialBackoff({ initialDelayMs: 50, maxDelayMs: 1_000, jitter: "decorrelated" });
 * const delays = backoff.start();
 * delays.next(); // in [50, 150)
 * delays.next(); // in [50, min(1000, 3 × previous))
 */
export function exponentialBackoff(options: ExponentialBackoffOptions): Backoff {
  const { initialDelayMs: base, maxDelayMs: cap } = options;
  if (!(base >= 0) || !Number.isFinite(base)) throw new RangeError("initialDelayMs must be a finite number ≥ 0");
  if (!(cap >= base)) throw new RangeError("maxDelayMs must be ≥ initialDelayMs");
  const jitter = options.jitter ?? "full";
  const random = options.random ?? Math.random;

  switch (jitter) {
    case "none":
      return { start: () => counting((n) => exponentialCeiling(base, cap, n)) };
    case "full":
      return { start: () => counting((n) => between(random, 0, exponentialCeiling(base, cap, n))) };
    case "decorrelated":
      return {
        start() {
          let previous = base;
          return {
            next() {
              previous = Math.min(cap, between(random, base, previous * 3));
              return previous;
            },
          };
        },
      };
  }
}

/**
 * The same delay before every retry.
 *
 * @example
 * retry({ maxAttempts: 3, idempotent: true, backoff: constantBackoff(0) }); // retry at once
 */
export function constantBackoff(delayMs: number): Backoff {
  if (!(delayMs >= 0)) throw new RangeError("delayMs must be ≥ 0");
  return { start: () => ({ next: () => delayMs }) };
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

function counting(delay: (n: number) => number): DelaySequence {
  let n = 0;
  return { next: () => delay(n++) };
}
