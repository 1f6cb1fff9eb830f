import { describe, expect, it } from "vitest";
import { ConsecutiveFailures, FailureRate } from "../../../src/resilience/breaker-strategy";

const ok = (at = 0) => ({ successes: 1, failures: 0, at });
const ko = (at = 0) => ({ successes: 0, failures: 1, at });

describe("ConsecutiveFailures", () => {
  it("trips on the n-th failure in a row, and a success starts the count again", () => {
    const strategy = new ConsecutiveFailures(3);
    expect([ko(), ko()].map((o) => strategy.record(o))).toEqual([false, false]);
    expect(strategy.record(ok())).toBe(false);
    expect([ko(), ko(), ko()].map((o) => strategy.record(o))).toEqual([false, false, true]);
    expect(strategy.count).toBe(3);
  });

  it("reads a mixed batch as its successes followed by its failures", () => {
    const strategy = new ConsecutiveFailures(3);
    strategy.record(ko());
    strategy.record(ko());
    expect(strategy.record({ successes: 5, failures: 1, at: 0 })).toBe(false);
    expect(strategy.count).toBe(1);
    expect(strategy.record({ successes: 1, failures: 4, at: 0 })).toBe(true);
  });

  it("round-trips through JSON and refuses foreign snapshots", () => {
    const strategy = new ConsecutiveFailures(3);
    strategy.record(ko());
    strategy.record(ko());
    const copy = new ConsecutiveFailures(3);
    expect(copy.restore(JSON.parse(JSON.stringify(strategy)))).toBe(true);
    expect(copy.record(ko())).toBe(true);

    const other = new ConsecutiveFailures(3);
    other.record(ko());
    expect(other.restore({ kind: "failure-rate", count: 2 })).toBe(false);
    expect(other.restore({ kind: "consecutive-failures", count: -1 })).toBe(false);
    expect(other.restore(null)).toBe(false);
    expect(other.count).toBe(0);
  });

  it("rejects a threshold below 1", () => {
    expect(() => new ConsecutiveFailures(0)).toThrow(RangeError);
  });
});

describe("FailureRate", () => {
  const options = { threshold: 0.5, minThroughput: 10, windowMs: 10_000, buckets: 10 };

  it("does not trip below minThroughput, however bad the rate", () => {
    const strategy = new FailureRate(options);
    const results = Array.from({ length: 9 }, () => strategy.record(ko(0), 0));
    expect(results.every((r) => !r)).toBe(true);
    expect(strategy.totals(0)).toEqual({ calls: 9, failures: 9 });
    expect(strategy.record(ko(0), 0)).toBe(true);
  });

  it("trips when the failure share reaches the threshold, not before", () => {
    const strategy = new FailureRate(options);
    for (let i = 0; i < 6; i++) strategy.record(ok(0), 0);
    for (let i = 0; i < 5; i++) expect(strategy.record(ko(0), 0)).toBe(false); // 5 of 11
    expect(strategy.record(ko(0), 0)).toBe(true); // 6 of 12
  });

  it("only trips on a failure", () => {
    const strategy = new FailureRate({ ...options, minThroughput: 2 });
    strategy.record({ successes: 0, failures: 5, at: 0 }, 0);
    expect(strategy.record(ok(0), 0)).toBe(false);
  });

  it("slides: outcomes older than the window stop counting", () => {
    const strategy = new FailureRate(options);
    strategy.record({ successes: 0, failures: 8, at: 0 }, 0);
    expect(strategy.totals(9_999)).toEqual({ calls: 8, failures: 8 });
    // At 10 s the bucket of t = 0 has left the window: these 3 failures alone do not reach 10 calls.
    expect(strategy.record({ successes: 0, failures: 3, at: 10_000 }, 10_000)).toBe(false);
    expect(strategy.totals(10_000)).toEqual({ calls: 3, failures: 3 });
  });

  it("places batched outcomes by their time, ignores ones older than the window, clamps future ones", () => {
    const strategy = new FailureRate(options);
    strategy.record({ successes: 4, failures: 0, at: 20_500 }, 25_000);
    expect(strategy.record({ successes: 0, failures: 50, at: 1_000 }, 25_000)).toBe(false); // too old
    strategy.record({ successes: 0, failures: 6, at: 26_000 }, 25_000); // isolate clock ahead
    expect(strategy.totals(25_000)).toEqual({ calls: 10, failures: 6 });
    // The t = 20.5 s bucket expires at 30 s; the clamped one (25 s) stays.
    expect(strategy.totals(30_000)).toEqual({ calls: 6, failures: 6 });
  });

  it("round-trips through JSON mid-window and restores only a snapshot of the same bucket width", () => {
    const strategy = new FailureRate(options);
    strategy.record({ successes: 3, failures: 4, at: 1_000 }, 1_000);
    strategy.record({ successes: 1, failures: 1, at: 4_000 }, 4_000);
    const snapshot = JSON.parse(JSON.stringify(strategy)) as unknown;
    const copy = new FailureRate(options);
    expect(copy.restore(snapshot)).toBe(true);
    expect(copy.totals(4_000)).toEqual(strategy.totals(4_000));
    // One more failure trips both the same way.
    expect([copy.record(ko(4_000), 4_000), strategy.record(ko(4_000), 4_000)]).toEqual([true, true]);
    expect(copy.totals(4_000)).toEqual({ calls: 10, failures: 6 });

    const coarser = new FailureRate({ ...options, windowMs: 60_000 });
    expect(coarser.restore(snapshot)).toBe(false);
    expect(coarser.totals(4_000)).toEqual({ calls: 0, failures: 0 });
    expect(copy.restore({ kind: "failure-rate", bucketMs: 1_000, buckets: [[1, -2, 0]] })).toBe(false);
  });

  it("keeps memory bounded: a long run leaves at most `buckets` entries", () => {
    const strategy = new FailureRate(options);
    for (let t = 0; t < 1_000_000; t += 100) strategy.record(ok(t), t);
    const snapshot = strategy.toJSON() as unknown as { buckets: unknown[] };
    expect(snapshot.buckets.length).toBeLessThanOrEqual(10);
    expect(strategy.totals(999_900).calls).toBe(100);
  });

  it("validates its options", () => {
    expect(() => new FailureRate({ ...options, threshold: 0 })).toThrow(RangeError);
    expect(() => new FailureRate({ ...options, threshold: 1.5 })).toThrow(RangeError);
    expect(() => new FailureRate({ ...options, minThroughput: 0 })).toThrow(RangeError);
    expect(() => new FailureRate({ ...options, windowMs: 0 })).toThrow(RangeError);
    expect(() => new FailureRate({ ...options, buckets: 2.5 })).toThrow(RangeError);
  });
});
