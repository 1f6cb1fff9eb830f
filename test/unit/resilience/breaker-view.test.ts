import { describe, expect, it } from "vitest";
import { ConsecutiveFailures } from "../../../src/resilience/breaker-strategy";
import { decideFromView, isNewerView } from "../../../src/resilience/breaker-view";
import { type BreakerView, circuitBreaker } from "../../../src/resilience/circuit-breaker";
import { ManualClock } from "../../../src/resilience/clock";
import { OutcomeBuffer } from "../../../src/resilience/outcome-buffer";

const view = (overrides: Partial<BreakerView>): BreakerView => ({
  dependency: "neon",
  state: "CLOSED",
  version: 1,
  openUntil: null,
  retryAfterMs: 0,
  at: 0,
  ...overrides,
});

describe("decideFromView", () => {
  it("calls through a closed circuit", () => {
    expect(decideFromView(view({ state: "CLOSED" }), 5)).toEqual({ action: "call" });
    expect(decideFromView(view({ state: "FORCED_CLOSED" }), 5)).toEqual({ action: "call" });
  });

  it("rejects locally while OPEN, with the time left by the isolate's clock", () => {
    expect(decideFromView(view({ state: "OPEN", openUntil: 10_000 }), 7_000)).toEqual({
      action: "reject",
      state: "OPEN",
      retryAfterMs: 3_000,
    });
    expect(decideFromView(view({ state: "FORCED_OPEN", retryAfterMs: 30_000 }), 0)).toEqual({
      action: "reject",
      state: "FORCED_OPEN",
      retryAfterMs: 30_000,
    });
  });

  it("asks the Durable Object for a ticket once the break is over or while HALF_OPEN", () => {
    expect(decideFromView(view({ state: "OPEN", openUntil: 10_000 }), 10_000)).toEqual({ action: "claim" });
    expect(decideFromView(view({ state: "HALF_OPEN" }), 0)).toEqual({ action: "claim" });
  });

  it("works on a breaker's real view", async () => {
    const clock = new ManualClock(0);
    const breaker = circuitBreaker({ name: "redis", strategy: new ConsecutiveFailures(1), breakDurationMs: 1_000, clock });
    breaker.failure({ kind: "call", version: 0 });
    const open = breaker.view();
    expect(decideFromView(open, clock.now() + 400)).toMatchObject({ action: "reject", retryAfterMs: 600 });
    await clock.advance(1_000);
    expect(decideFromView(open, clock.now())).toEqual({ action: "claim" });
  });
});

describe("isNewerView", () => {
  it("prefers the higher version, then the later view of the same version", () => {
    expect(isNewerView(view({ version: 2 }), undefined)).toBe(true);
    expect(isNewerView(view({ version: 2 }), view({ version: 1, at: 99 }))).toBe(true);
    expect(isNewerView(view({ version: 1, at: 99 }), view({ version: 2 }))).toBe(false);
    expect(isNewerView(view({ version: 2, at: 5 }), view({ version: 2, at: 4 }))).toBe(true);
    expect(isNewerView(view({ version: 2, at: 4 }), view({ version: 2, at: 4 }))).toBe(false);
  });
});

describe("OutcomeBuffer", () => {
  it("aggregates outcomes per bucket and drains them oldest first", async () => {
    const clock = new ManualClock(10_000);
    const buffer = new OutcomeBuffer({ bucketMs: 1_000, clock });
    buffer.record(true);
    await clock.advance(300);
    buffer.record(false);
    buffer.record(true);
    await clock.advance(1_000);
    buffer.record(false);
    expect(buffer.size).toBe(4);
    expect(buffer.drain()).toEqual([
      { successes: 2, failures: 1, at: 10_000 },
      { successes: 0, failures: 1, at: 11_300 },
    ]);
    expect(buffer.size).toBe(0);
    expect(buffer.drain()).toEqual([]);
  });

  it("keeps at most maxBuckets, dropping the oldest", async () => {
    const clock = new ManualClock(0);
    const buffer = new OutcomeBuffer({ bucketMs: 100, maxBuckets: 3, clock });
    for (let i = 0; i < 10; i++) {
      buffer.record(false);
      await clock.advance(100);
    }
    expect(buffer.drain().map((o) => o.at)).toEqual([700, 800, 900]);
  });

  it("feeds a breaker's recordOutcomes", () => {
    const clock = new ManualClock(0);
    const breaker = circuitBreaker({ name: "neon", strategy: new ConsecutiveFailures(3), breakDurationMs: 1_000, clock });
    const buffer = new OutcomeBuffer({ clock });
    for (let i = 0; i < 3; i++) buffer.record(false);
    breaker.recordOutcomes(buffer.drain());
    expect(breaker.state.kind).toBe("OPEN");
  });

  it("validates its options", () => {
    expect(() => new OutcomeBuffer({ bucketMs: 0 })).toThrow(RangeError);
    expect(() => new OutcomeBuffer({ maxBuckets: 0 })).toThrow(RangeError);
  });
});
