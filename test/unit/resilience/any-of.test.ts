import { describe, expect, it } from "vitest";
import { anyOf } from "../../../src/resilience/any-of";
import { ConsecutiveFailures, FailureRate } from "../../../src/resilience/breaker-strategy";

const make = () =>
  anyOf(new ConsecutiveFailures(3), new FailureRate({ threshold: 0.5, minThroughput: 10, windowMs: 10_000 }));

describe("anyOf", () => {
  it("opens on N failures in a row", () => {
    const strategy = make();
    expect(strategy.record({ successes: 0, failures: 1, at: 0 }, 0)).toBe(false);
    expect(strategy.record({ successes: 0, failures: 1, at: 1 }, 1)).toBe(false);
    expect(strategy.record({ successes: 0, failures: 1, at: 2 }, 2)).toBe(true);
  });

  it("opens on a failure rate even when failures never come in a row", () => {
    const strategy = make();
    let tripped = false;
    for (let i = 0; i < 10; i++) tripped = strategy.record({ successes: (i + 1) % 2, failures: i % 2, at: i }, i);
    expect(tripped).toBe(true);
  });

  it("round-trips through toJSON and restore, and refuses a foreign snapshot", () => {
    const strategy = make();
    strategy.record({ successes: 0, failures: 2, at: 0 }, 0);
    const restored = make();
    expect(restored.restore(JSON.parse(JSON.stringify(strategy.toJSON())))).toBe(true);
    expect(restored.record({ successes: 0, failures: 1, at: 1 }, 1)).toBe(true);
    expect(make().restore({ kind: "other" })).toBe(false);
  });
});
