import { describe, expect, it } from "vitest";
import { exponentialBackoff, exponentialCeiling } from "../../../src/resilience/backoff";
import { constantBackoff, seededRandom } from "./helpers";

const SEEDS = 1_000;
const STEPS = 20;

describe("exponentialBackoff, full jitter (property over 1,000 seeds)", () => {
  it("keeps every delay within [0, min(cap, base·2^n)]", () => {
    const base = 50;
    const cap = 3_000;
    const violations: string[] = [];
    for (let seed = 0; seed < SEEDS; seed++) {
      const delays = exponentialBackoff({ initialDelayMs: base, maxDelayMs: cap, random: seededRandom(seed) }).start();
      for (let n = 0; n < STEPS; n++) {
        const delay = delays.next();
        if (!(delay >= 0 && delay <= Math.min(cap, base * 2 ** n))) violations.push(`seed ${seed}, n ${n}: ${delay}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it("spreads delays over the whole range rather than clustering (jitter is real)", () => {
    const firstDelays: number[] = [];
    const fifthDelays: number[] = [];
    for (let seed = 0; seed < SEEDS; seed++) {
      const delays = exponentialBackoff({ initialDelayMs: 100, maxDelayMs: 10_000, random: seededRandom(seed) }).start();
      firstDelays.push(delays.next());
      delays.next();
      delays.next();
      delays.next();
      fifthDelays.push(delays.next());
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    // Uniform on [0, 100) and [0, 1600): means near 50 and 800, extremes near both ends.
    expect(mean(firstDelays)).toBeGreaterThan(45);
    expect(mean(firstDelays)).toBeLessThan(55);
    expect(mean(fifthDelays)).toBeGreaterThan(720);
    expect(mean(fifthDelays)).toBeLessThan(880);
    expect(Math.min(...fifthDelays)).toBeLessThan(50);
    expect(Math.max(...fifthDelays)).toBeGreaterThan(1_550);
  });

  it("draws each delay uniformly under its ceiling (a random 0.5 gives half of it)", () => {
    const delays = exponentialBackoff({ initialDelayMs: 100, maxDelayMs: 1_000, random: () => 0.5 }).start();
    expect([delays.next(), delays.next(), delays.next()]).toEqual([50, 100, 200]);
  });
});

describe("exponentialBackoff, growth and sequences", () => {
  it("reaches the cap, never passing it: growth is real", () => {
    const base = 20;
    const cap = 2_000;
    const violations: string[] = [];
    let nearCap = 0;
    for (let seed = 0; seed < SEEDS; seed++) {
      const delays = exponentialBackoff({ initialDelayMs: base, maxDelayMs: cap, random: seededRandom(seed) }).start();
      for (let n = 0; n < STEPS; n++) {
        const delay = delays.next();
        if (!(delay >= 0 && delay <= cap)) violations.push(`seed ${seed}, n ${n}: ${delay}`);
        if (delay >= cap * 0.99) nearCap++;
      }
    }
    expect(violations).toEqual([]);
    // The cap is not just respected but reached.
    expect(nearCap).toBeGreaterThan(0);
  });

  it("keeps a separate sequence per execution", () => {
    const backoff = exponentialBackoff({ initialDelayMs: 10, maxDelayMs: 10_000, random: () => 0.99 });
    const first = backoff.start();
    for (let n = 0; n < 5; n++) first.next();
    const grown = first.next();
    const fresh = backoff.start().next();
    expect(grown).toBeGreaterThan(200);
    expect(fresh).toBeLessThan(30);
  });
});

describe("exponentialCeiling (each delay's ceiling, and jobs' retry delays)", () => {
  it("doubles up to the cap and never overflows", () => {
    const seen = Array.from({ length: 2_000 }, (_, n) => exponentialCeiling(100, 1_000, n));
    expect(seen.slice(0, 6)).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    expect(seen.every((d) => Number.isFinite(d) && d <= 1_000)).toBe(true);
  });

  it("stays at zero with a zero base, even after 2^n overflows", () => {
    const seen = Array.from({ length: 1_100 }, (_, n) => exponentialCeiling(0, 100, n));
    expect(seen.every((d) => d === 0)).toBe(true);
  });
});

describe("backoff options", () => {
  it("rejects a cap below the base and negative delays", () => {
    expect(() => exponentialBackoff({ initialDelayMs: 100, maxDelayMs: 50 })).toThrow(RangeError);
    expect(() => exponentialBackoff({ initialDelayMs: -1, maxDelayMs: 50 })).toThrow(RangeError);
    expect(() => constantBackoff(-5)).toThrow(RangeError);
  });

  it("clamps a random source that strays outside [0, 1)", () => {
    const delays = exponentialBackoff({ initialDelayMs: 100, maxDelayMs: 1_000, random: () => 7 }).start();
    expect(delays.next()).toBe(100);
    const low = exponentialBackoff({ initialDelayMs: 100, maxDelayMs: 1_000, random: () => -3 }).start();
    expect(low.next()).toBe(0);
  });

  it("constantBackoff (the tests' helper) returns the same delay every time", () => {
    const delays = constantBackoff(25).start();
    expect([delays.next(), delays.next(), delays.next()]).toEqual([25, 25, 25]);
  });
});
