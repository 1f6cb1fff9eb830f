import { describe, expect, it } from "vitest";
import { ManualClock } from "./manual-clock";
import { retryBudget } from "../../../src/resilience/retry-budget";

describe("retryBudget", () => {
  it("allows minRetriesPerWindow retries with no traffic, then refuses", () => {
    const budget = retryBudget({ ratio: 0.1, minRetriesPerWindow: 3, windowMs: 10_000, clock: new ManualClock() });
    expect([1, 2, 3, 4].map(() => budget.tryAcquireRetry())).toEqual([true, true, true, false]);
    expect(budget.stats()).toEqual({ calls: 0, retries: 3, available: 0 });
  });

  it("earns ratio × calls retries on top of the minimum", () => {
    const budget = retryBudget({ ratio: 0.1, minRetriesPerWindow: 2, windowMs: 10_000, clock: new ManualClock() });
    for (let i = 0; i < 100; i++) budget.recordCall();
    let granted = 0;
    while (budget.tryAcquireRetry()) granted++;
    expect(granted).toBe(12);
    expect(budget.stats()).toMatchObject({ calls: 100, retries: 12 });
  });

  it("forgets calls and retries once they slide out of the window", async () => {
    const clock = new ManualClock(0);
    const budget = retryBudget({ ratio: 0.5, minRetriesPerWindow: 0, windowMs: 1_000, buckets: 10, clock });
    for (let i = 0; i < 10; i++) budget.recordCall();
    while (budget.tryAcquireRetry());
    expect(budget.stats()).toMatchObject({ calls: 10, retries: 5, available: 0 });
    await clock.advance(500);
    for (let i = 0; i < 4; i++) budget.recordCall();
    // The first 10 calls (and their 5 retries) are still in the window.
    expect(budget.stats()).toMatchObject({ calls: 14, retries: 5, available: 2 });
    await clock.advance(600);
    // t = 1100: the bucket of t = 0 has left the window, the one of t = 500 has not.
    expect(budget.stats()).toEqual({ calls: 4, retries: 0, available: 2 });
    await clock.advance(1_000);
    expect(budget.stats()).toEqual({ calls: 0, retries: 0, available: 0 });
  });

  it("reuses a bounded ring of buckets however long it runs", () => {
    let now = 0;
    const clock = { now: () => now, sleep: () => Promise.resolve(), setTimer: () => () => undefined };
    const budget = retryBudget({ ratio: 1, minRetriesPerWindow: 0, windowMs: 100, buckets: 4, clock });
    for (; now < 10_000; now += 25) budget.recordCall();
    // Only the last window's calls count: 4 buckets of 25 ms, one call each, minus the current empty one.
    expect(budget.stats().calls).toBe(3);
  });

  it("ignores buckets from the future when the clock steps back", () => {
    let now = 10_000;
    const clock = { now: () => now, sleep: () => Promise.resolve(), setTimer: () => () => undefined };
    const budget = retryBudget({ ratio: 1, minRetriesPerWindow: 0, windowMs: 1_000, clock });
    for (let i = 0; i < 5; i++) budget.recordCall();
    now = 9_000;
    expect(budget.stats().calls).toBe(0);
  });

  it("validates its options", () => {
    expect(() => retryBudget({ ratio: -1, minRetriesPerWindow: 0, windowMs: 1 })).toThrow(RangeError);
    expect(() => retryBudget({ ratio: 0.1, minRetriesPerWindow: 0, windowMs: 0 })).toThrow(RangeError);
    expect(() => retryBudget({ ratio: 0.1, minRetriesPerWindow: 0, windowMs: 10, buckets: 0 })).toThrow(RangeError);
  });
});
