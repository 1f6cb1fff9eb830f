import { describe, expect, it } from "vitest";
import { ConsecutiveFailures } from "../../../src/resilience/breaker-strategy";
import { type BreakerView, decideFromView, isNewerView, verdictOf } from "../../../src/resilience/breaker-view";
import { CircuitBreaker } from "../../../src/resilience/circuit-breaker";
import {
  AttemptTimeoutError,
  BrokenCircuitError,
  BulkheadRejectedError,
  DeadlineExceededError,
  HttpStatusError,
} from "../../../src/resilience/errors";
import { ManualClock } from "./manual-clock";
import { OutcomeBuffer } from "../../../src/resilience/outcome-buffer";
import { neonError } from "./helpers";

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
    const breaker = new CircuitBreaker({ name: "redis", strategy: new ConsecutiveFailures(1), breakDurationMs: 1_000, clock });
    breaker.failure({ kind: "call", version: 0 });
    const open = breaker.view();
    expect(decideFromView(open, clock.now() + 400)).toMatchObject({ action: "reject", retryAfterMs: 600 });
    await clock.advance(1_000);
    expect(decideFromView(open, clock.now())).toEqual({ action: "claim" });
  });
});

describe("verdictOf", () => {
  const aborted = (reason: unknown) => AbortSignal.abort(reason);

  it("counts transient errors and attempt timeouts against the dependency", () => {
    expect(verdictOf(new TypeError("fetch failed"))).toBe("failure");
    expect(verdictOf(new HttpStatusError(503))).toBe("failure");
    expect(verdictOf(new AttemptTimeoutError(100))).toBe("failure");
  });

  it("counts an answer that is an error (a constraint violation, a 404) for it", () => {
    expect(verdictOf(neonError("duplicate key", { code: "23505" }))).toBe("success");
    expect(verdictOf(new HttpStatusError(404))).toBe("success");
  });

  it("releases without a verdict when the caller left, or nothing was learnt", () => {
    expect(verdictOf(new TypeError("fetch failed"), { caller: aborted(new Error("client left")) })).toBe("release");
    expect(verdictOf(new DOMException("x", "AbortError"))).toBe("release");
    expect(verdictOf(new DeadlineExceededError(0))).toBe("release");
    expect(verdictOf(new BulkheadRejectedError(1, 0))).toBe("release");
    expect(verdictOf(new BrokenCircuitError("neon", 10))).toBe("release");
  });

  it("judges an aborted attempt by its reason, whatever the call threw after it", () => {
    // Neon wraps the abort in an error that alone would look like an answer.
    const wrapped = neonError("Error connecting to database: AbortError", { sourceError: new DOMException("x", "AbortError") });
    expect(verdictOf(wrapped)).toBe("success");
    expect(verdictOf(wrapped, { attempt: aborted(new AttemptTimeoutError(100)) })).toBe("failure");
    expect(verdictOf(wrapped, { attempt: aborted(new DeadlineExceededError(0)) })).toBe("release");
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
    const breaker = new CircuitBreaker({ name: "neon", strategy: new ConsecutiveFailures(3), breakDurationMs: 1_000, clock });
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
