import { describe, expect, it, vi } from "vitest";
import { ConsecutiveFailures, FailureRate } from "../../../src/resilience/breaker-strategy";
import { type BreakerView, verdictOf } from "../../../src/resilience/breaker-view";
import {
  type Admission,
  CircuitBreaker,
  type CircuitBreakerOptions,
  type Ticket,
} from "../../../src/resilience/circuit-breaker";
import { ManualClock } from "./manual-clock";
import { bulkhead } from "../../../src/resilience/bulkhead";
import {
  AttemptTimeoutError,
  BrokenCircuitError,
  BulkheadRejectedError,
  HttpStatusError,
  isBrokenCircuitError,
} from "../../../src/resilience/errors";
import { retry } from "../../../src/resilience/retry";
import { abortReason, invoke, raceAbort } from "../../../src/resilience/signal";
import { constantBackoff, deferred, flush, neonError, outcome } from "./helpers";

function setup(overrides: Partial<CircuitBreakerOptions> = {}) {
  const clock = new ManualClock(1_000_000);
  const options: CircuitBreakerOptions = {
    name: "neon",
    strategy: new ConsecutiveFailures(3),
    breakDurationMs: 10_000,
    clock,
    ...overrides,
  };
  return { clock, options, breaker: new CircuitBreaker(options) };
}

/**
 * One call through the breaker the way the Worker makes it (src/dependencies/guard.ts, the
 * breaker client and the Durable Object): a caller already gone claims nothing; a refusal is
 * a BrokenCircuitError before `fn` runs; otherwise `fn` runs under the attempt's signal and
 * its end is reported with `verdictOf`. `caller` is the request's signal, `attempt` the retry
 * attempt's (which also aborts on the attempt's timeout).
 */
async function callThrough<T>(
  breaker: CircuitBreaker,
  fn: () => Promise<T>,
  signals: { caller?: AbortSignal; attempt?: AbortSignal } = {},
): Promise<T> {
  const signal = signals.attempt ?? signals.caller;
  if (signal?.aborted) throw abortReason(signal);
  const admission = breaker.tryAcquire();
  if (!admission.ok) throw new BrokenCircuitError(breaker.name, admission.retryAfterMs, admission.state);
  try {
    const value = await raceAbort(invoke(fn), signal);
    breaker.success(admission.ticket);
    return value;
  } catch (error) {
    const verdict = verdictOf(error, signals);
    if (verdict === "success") breaker.success(admission.ticket);
    else if (verdict === "failure") breaker.failure(admission.ticket);
    else breaker.release(admission.ticket);
    throw error;
  }
}

function ticketOf(admission: Admission): Ticket {
  if (!admission.ok) throw new Error(`refused: ${admission.state}`);
  return admission.ticket;
}

/** Opens the circuit with failures through call tickets. */
function trip(breaker: CircuitBreaker, failures = 3): void {
  for (let i = 0; i < failures; i++) breaker.failure(ticketOf(breaker.tryAcquire()));
}

const fail = () => Promise.reject(new TypeError("fetch failed"));

describe("CircuitBreaker: opening", () => {
  it("opens after n consecutive failures and then fails fast without calling", async () => {
    const { breaker, clock } = setup();
    for (let i = 0; i < 3; i++) await outcome(callThrough(breaker, fail));
    expect(breaker.state).toEqual({ kind: "OPEN", since: clock.now(), until: clock.now() + 10_000 });
    const fn = vi.fn(() => Promise.resolve(1));
    const error = await callThrough(breaker, fn).catch((e: unknown) => e);
    expect(fn).not.toHaveBeenCalled();
    expect(error).toBeInstanceOf(BrokenCircuitError);
    expect(error).toMatchObject({ dependency: "neon", retryAfterMs: 10_000, state: "OPEN" });
    expect(breaker.counters).toMatchObject({ failures: 3, rejections: 1, opens: 1 });
  });

  it("a success between failures keeps it closed", async () => {
    const { breaker } = setup();
    await outcome(callThrough(breaker, fail));
    await outcome(callThrough(breaker, fail));
    await callThrough(breaker, () => Promise.resolve("ok"));
    await outcome(callThrough(breaker, fail));
    await outcome(callThrough(breaker, fail));
    expect(breaker.state.kind).toBe("CLOSED");
  });

  it("counts errors that are not the dependency's fault as successes, and caller aborts as nothing", async () => {
    const { breaker } = setup({ strategy: new ConsecutiveFailures(1) });
    await outcome(callThrough(breaker, () => Promise.reject(neonError("duplicate key", { code: "23505" }))));
    await outcome(callThrough(breaker, () => Promise.reject(new HttpStatusError(404))));
    expect(breaker.state.kind).toBe("CLOSED");
    const controller = new AbortController();
    const running = callThrough(breaker, () => new Promise((_r, reject) => {
      controller.signal.addEventListener("abort", () => {
        reject(new TypeError("fetch failed"));
      });
    }), { caller: controller.signal });
    controller.abort(new Error("client left"));
    await expect(running).rejects.toThrow("client left");
    expect(breaker.state.kind).toBe("CLOSED");
    expect(breaker.counters).toMatchObject({ successes: 2, failures: 0, releases: 1 });
  });

  it("inside a retry policy, counts an attempt timeout as a failure, not as the caller leaving", async () => {
    const { breaker, clock } = setup({ strategy: new ConsecutiveFailures(2) });
    const policy = retry({ maxAttempts: 2, idempotent: true, clock, attemptTimeoutMs: 100, backoff: constantBackoff(0) });
    const slow = outcome(policy.execute(({ signal }) => callThrough(breaker, () => new Promise<never>(() => undefined), { attempt: signal })));
    await clock.advance(100);
    await clock.advance(100);
    const result = await slow;
    expect(result.ok ? undefined : result.error).toBeInstanceOf(AttemptTimeoutError);
    expect(breaker.state.kind).toBe("OPEN");
    expect(breaker.counters).toMatchObject({ failures: 2, releases: 0 });
  });

  it("releases, without a verdict, a call refused by a bulkhead inside it", async () => {
    const { breaker, clock } = setup({ strategy: new ConsecutiveFailures(1) });
    trip(breaker, 1);
    await clock.advance(10_000);
    const head = bulkhead({ maxConcurrent: 1, maxQueue: 0 });
    const hold = head.execute(() => new Promise<never>(() => undefined), AbortSignal.timeout(50));
    const refused = await outcome(callThrough(breaker, () => head.execute(() => Promise.resolve("never"))));
    expect(refused.ok ? undefined : refused.error).toBeInstanceOf(BulkheadRejectedError);
    expect(breaker.state.kind).toBe("HALF_OPEN");
    expect(breaker.counters.releases).toBe(1);
    expect(breaker.tryAcquire().ok).toBe(true); // the probe slot came back
    await outcome(hold);
  });

  it("opens on failure rate only once minThroughput is reached", () => {
    const { breaker, clock } = setup({
      strategy: new FailureRate({ threshold: 0.5, minThroughput: 20, windowMs: 30_000 }),
    });
    const now = clock.now();
    breaker.recordOutcomes([{ successes: 0, failures: 19, at: now }]);
    expect(breaker.state.kind).toBe("CLOSED");
    breaker.recordOutcomes([{ ok: true, at: now }]);
    expect(breaker.state.kind).toBe("CLOSED"); // 19 of 20, but a success never trips
    breaker.recordOutcomes([{ ok: false, at: now }]);
    expect(breaker.state.kind).toBe("OPEN");
  });

  it("ignores outcomes of stale call tickets (issued before the circuit last changed state)", () => {
    const { breaker } = setup();
    const early = ticketOf(breaker.tryAcquire());
    trip(breaker);
    breaker.reset();
    breaker.failure(early);
    breaker.failure(early);
    breaker.failure(early);
    expect(breaker.state.kind).toBe("CLOSED");
    expect(breaker.counters.failures).toBe(6);
  });
});

describe("CircuitBreaker: break duration", () => {
  it("refuses until breakDurationMs has passed, with a shrinking retryAfterMs, then admits a probe", async () => {
    const { breaker, clock } = setup();
    trip(breaker);
    expect(breaker.nextTransitionAt()).toBe(clock.now() + 10_000);
    await clock.advance(9_999);
    expect(breaker.tryAcquire()).toEqual({ ok: false, state: "OPEN", retryAfterMs: 1 });
    await clock.advance(1);
    const admission = breaker.tryAcquire();
    expect(admission).toMatchObject({ ok: true, ticket: { kind: "probe" } });
    expect(breaker.state.kind).toBe("HALF_OPEN");
  });

  it("grows on repeated opens up to the cap, and starts over once closed", async () => {
    const { breaker, clock } = setup({ breakDurationMultiplier: 2, maxBreakDurationMs: 35_000 });
    const durations: number[] = [];
    const openFor = () => {
      const state = breaker.state;
      if (state.kind !== "OPEN") throw new Error(state.kind);
      durations.push(state.until - state.since);
      return state.until - state.since;
    };
    trip(breaker);
    for (let i = 0; i < 4; i++) {
      await clock.advance(openFor());
      breaker.failure(ticketOf(breaker.tryAcquire())); // the probe fails
    }
    await clock.advance(openFor());
    breaker.success(ticketOf(breaker.tryAcquire()));
    expect(breaker.state.kind).toBe("CLOSED");
    trip(breaker);
    openFor();
    expect(durations).toEqual([10_000, 20_000, 35_000, 35_000, 35_000, 10_000]);
  });
});

describe("CircuitBreaker: half-open probes", () => {
  it("admits exactly K probes under many synchronous claims", async () => {
    const { breaker, clock } = setup({ halfOpenProbes: 3 });
    trip(breaker);
    await clock.advance(10_000);
    const admissions = Array.from({ length: 100 }, () => breaker.tryAcquire());
    const tickets = admissions.flatMap((a) => (a.ok ? [a.ticket] : []));
    const refusals = admissions.flatMap((a) => (a.ok ? [] : [a]));
    expect(tickets).toHaveLength(3);
    expect(new Set(tickets.map((t) => (t.kind === "probe" ? t.id : -1))).size).toBe(3);
    expect(refusals.every((r) => r.state === "HALF_OPEN" && r.retryAfterMs > 0)).toBe(true);
    expect(breaker.counters.rejections).toBe(97);
  });

  it("admits a single probe among concurrent calls; the others fail fast", async () => {
    const { breaker, clock } = setup();
    trip(breaker);
    await clock.advance(10_000);
    const probe = deferred<string>();
    const fn = vi.fn(() => probe.promise);
    const calls = Array.from({ length: 5 }, () => outcome(callThrough(breaker, fn)));
    await flush();
    expect(fn).toHaveBeenCalledTimes(1);
    probe.resolve("ok");
    const results = await Promise.all(calls);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok && isBrokenCircuitError(r.error) && r.error.state === "HALF_OPEN")).toHaveLength(4);
    expect(breaker.state.kind).toBe("CLOSED");
  });

  it("closes after K successes, with the strategy's counts forgotten", async () => {
    const { breaker, clock } = setup({ halfOpenProbes: 2 });
    trip(breaker);
    await clock.advance(10_000);
    const [a, b] = [ticketOf(breaker.tryAcquire()), ticketOf(breaker.tryAcquire())];
    breaker.success(a);
    expect(breaker.state.kind).toBe("HALF_OPEN");
    breaker.success(a); // a duplicate report counts once
    expect(breaker.state.kind).toBe("HALF_OPEN");
    breaker.success(b);
    expect(breaker.state.kind).toBe("CLOSED");
    trip(breaker, 2);
    expect(breaker.state.kind).toBe("CLOSED"); // 2 failures of 3: the old count did not survive
  });

  it("reopens on any probe failure, and outcomes of that period's other probes change nothing", async () => {
    const { breaker, clock } = setup({ halfOpenProbes: 2 });
    trip(breaker);
    await clock.advance(10_000);
    const [a, b] = [ticketOf(breaker.tryAcquire()), ticketOf(breaker.tryAcquire())];
    breaker.failure(a);
    expect(breaker.state.kind).toBe("OPEN");
    await clock.advance(10_000);
    const c = ticketOf(breaker.tryAcquire());
    breaker.success(b); // from the previous half-open period
    expect(breaker.state.kind).toBe("HALF_OPEN");
    breaker.success(c);
    expect(breaker.state.kind).toBe("HALF_OPEN");
    breaker.success(ticketOf(breaker.tryAcquire()));
    expect(breaker.state.kind).toBe("CLOSED");
  });

  it("releases a probe whose caller aborted: not a success, and the slot goes to another caller", async () => {
    const { breaker, clock } = setup();
    trip(breaker);
    await clock.advance(10_000);
    const controller = new AbortController();
    const aborted = outcome(callThrough(breaker, () => new Promise<never>(() => undefined), { caller: controller.signal }));
    await flush();
    expect(breaker.tryAcquire().ok).toBe(false); // the slot is taken
    controller.abort(new Error("timeout"));
    expect(await aborted).toMatchObject({ ok: false });
    expect(breaker.state.kind).toBe("HALF_OPEN");
    expect(breaker.counters.releases).toBe(1);
    await callThrough(breaker, () => Promise.resolve("probe 2"));
    expect(breaker.state.kind).toBe("CLOSED");
  });

  it("does not let an already-aborted caller take the probe slot", async () => {
    const { breaker, clock } = setup();
    trip(breaker);
    await clock.advance(10_000);
    await expect(callThrough(breaker, () => Promise.resolve(1), { caller: AbortSignal.abort(new Error("gone")) })).rejects.toThrow("gone");
    expect(breaker.tryAcquire().ok).toBe(true);
  });

  it("frees the slot of a probe never reported once its lease expires", async () => {
    const { breaker, clock } = setup({ probeLeaseMs: 5_000 });
    trip(breaker);
    await clock.advance(10_000);
    const lost = ticketOf(breaker.tryAcquire());
    expect(breaker.nextTransitionAt()).toBe(clock.now() + 5_000);
    await clock.advance(4_999);
    expect(breaker.tryAcquire().ok).toBe(false);
    await clock.advance(1);
    const next = ticketOf(breaker.tryAcquire());
    expect(breaker.counters.releases).toBe(1);
    breaker.success(lost); // too late: its slot was given away
    expect(breaker.state.kind).toBe("HALF_OPEN");
    breaker.success(next);
    expect(breaker.state.kind).toBe("CLOSED");
  });
});

describe("CircuitBreaker: forced states", () => {
  it("forceOpen refuses everything and does not move to HALF_OPEN by itself", async () => {
    const { breaker, clock } = setup();
    breaker.forceOpen();
    await clock.advance(1_000_000);
    expect(breaker.tryAcquire()).toEqual({ ok: false, state: "FORCED_OPEN", retryAfterMs: 10_000 });
    expect(breaker.nextTransitionAt()).toBeNull();
    expect(breaker.state.kind).toBe("FORCED_OPEN");
  });

  it("forceClose admits everything and never opens; reset returns to a fresh CLOSED", async () => {
    const { breaker, clock } = setup();
    trip(breaker);
    breaker.forceClose();
    for (let i = 0; i < 10; i++) await outcome(callThrough(breaker, fail));
    breaker.recordOutcomes([{ successes: 0, failures: 100, at: clock.now() }]);
    expect(breaker.state.kind).toBe("FORCED_CLOSED");
    breaker.reset();
    expect(breaker.state).toEqual({ kind: "CLOSED", since: clock.now() });
    trip(breaker, 2);
    expect(breaker.state.kind).toBe("CLOSED");
    expect(breaker.counters.failures).toBe(3 + 10 + 100 + 2);
  });
});

describe("CircuitBreaker: snapshots", () => {
  function roundTrip(breaker: CircuitBreaker, options: CircuitBreakerOptions, strategy = new ConsecutiveFailures(3)) {
    return CircuitBreaker.restore(JSON.parse(JSON.stringify(breaker)), { ...options, strategy });
  }

  it("restored mid-OPEN, it keeps refusing until the same instant, then probes", async () => {
    const { breaker, clock, options } = setup({ breakDurationMultiplier: 2 });
    trip(breaker);
    await clock.advance(4_000);
    const restored = roundTrip(breaker, options);
    expect(restored.tryAcquire()).toEqual({ ok: false, state: "OPEN", retryAfterMs: 6_000 });
    expect(restored.nextTransitionAt()).toBe(breaker.nextTransitionAt());
    expect(restored.version).toBe(breaker.version);
    await clock.advance(6_000);
    // The growth counter survived: a failed probe opens it for twice as long.
    restored.failure(ticketOf(restored.tryAcquire()));
    const state = restored.state;
    expect(state.kind === "OPEN" && state.until - state.since).toBe(20_000);
  });

  it("restored mid-HALF_OPEN, it honours the probes in flight and their tickets", async () => {
    const { breaker, clock, options } = setup({ halfOpenProbes: 3 });
    trip(breaker);
    await clock.advance(10_000);
    const tickets = [1, 2, 3].map(() => ticketOf(breaker.tryAcquire()));
    breaker.success(tickets[0]!);
    const restored = roundTrip(breaker, options);
    expect(restored.tryAcquire().ok).toBe(false); // 1 succeeded + 2 in flight = K
    restored.success(JSON.parse(JSON.stringify(tickets[1])) as Ticket); // a ticket that crossed an RPC
    expect(restored.state.kind).toBe("HALF_OPEN");
    restored.success(tickets[2]!);
    expect(restored.state.kind).toBe("CLOSED");
    expect(restored.counters).toMatchObject({ opens: 1, successes: 3, failures: 3 });
  });

  it("keeps the strategy's counts across a restore while CLOSED", () => {
    const { breaker, options } = setup();
    trip(breaker, 2);
    const restored = roundTrip(breaker, options);
    restored.failure(ticketOf(restored.tryAcquire()));
    expect(restored.state.kind).toBe("OPEN");
  });

  it("keeps forced states across a restore", async () => {
    const { breaker, clock, options } = setup();
    breaker.forceOpen();
    const restored = roundTrip(breaker, options);
    await clock.advance(100_000);
    expect(restored.state.kind).toBe("FORCED_OPEN");
  });

  it("starts CLOSED from a missing or malformed snapshot", () => {
    const { options } = setup();
    for (const bad of [undefined, null, 42, {}, { format: 2 }, { format: 1, state: { kind: "OPEN", since: 0 } }]) {
      const restored = CircuitBreaker.restore(bad, { ...options, strategy: new ConsecutiveFailures(3) });
      expect(restored.state.kind).toBe("CLOSED");
      expect(restored.version).toBe(0);
    }
  });

  it("hands out copies: mutating the returned state or snapshot changes nothing", async () => {
    const { breaker, clock } = setup();
    trip(breaker);
    await clock.advance(10_000);
    breaker.tryAcquire();
    const state = breaker.state;
    if (state.kind === "HALF_OPEN") state.probes.length = 0;
    breaker.toJSON().counters.failures = 0;
    expect(breaker.tryAcquire().ok).toBe(false);
    expect(breaker.counters.failures).toBe(3);
  });
});

describe("CircuitBreaker: batched outcomes", () => {
  it("applies a batch in time order", () => {
    const { breaker, clock } = setup();
    const t = clock.now();
    // In arrival order this would be F F S F (closed); in time order it is S F F F (open).
    breaker.recordOutcomes([
      { ok: false, at: t + 3 },
      { ok: false, at: t + 2 },
      { ok: true, at: t + 0 },
      { ok: false, at: t + 1 },
    ]);
    expect(breaker.state.kind).toBe("OPEN");
  });

  it("ignores outcomes from before the circuit closed, and outcomes while it is not CLOSED", async () => {
    const { breaker, clock } = setup();
    trip(breaker);
    const outage = clock.now();
    breaker.recordOutcomes([{ successes: 0, failures: 50, at: outage }]); // while OPEN
    await clock.advance(10_000);
    breaker.success(ticketOf(breaker.tryAcquire()));
    expect(breaker.state.kind).toBe("CLOSED");
    // A late batch from the outage arrives after the close: it must not reopen the circuit.
    breaker.recordOutcomes([{ successes: 0, failures: 10, at: outage + 1 }]);
    expect(breaker.state.kind).toBe("CLOSED");
    breaker.recordOutcomes([{ successes: 0, failures: 3, at: clock.now() }]);
    expect(breaker.state.kind).toBe("OPEN");
    expect(breaker.counters.failures).toBe(3 + 50 + 10 + 3);
  });

  it("treats malformed counts as zero", () => {
    const { breaker, clock } = setup();
    breaker.recordOutcomes([{ successes: -5, failures: Number.NaN, at: clock.now() }, { successes: 1.5, failures: 2, at: clock.now() }]);
    expect(breaker.counters).toMatchObject({ successes: 0, failures: 2 });
  });
});

describe("CircuitBreaker: views and events", () => {
  it("gives an isolate a small view with a version that grows with every transition", async () => {
    const { breaker, clock } = setup();
    expect(breaker.view()).toEqual({ dependency: "neon", state: "CLOSED", version: 0, openUntil: null, retryAfterMs: 0, at: clock.now() });
    trip(breaker);
    await clock.advance(2_500);
    expect(breaker.view()).toMatchObject({ state: "OPEN", version: 1, openUntil: clock.now() + 7_500, retryAfterMs: 7_500 });
    await clock.advance(7_500);
    expect(breaker.view()).toMatchObject({ state: "HALF_OPEN", version: 2, openUntil: null });
    breaker.forceOpen();
    expect(breaker.view()).toMatchObject({ state: "FORCED_OPEN", version: 3, retryAfterMs: 10_000 });
  });

  it("shows every transition in its view, as a new version", async () => {
    const { breaker, clock } = setup();
    const views: BreakerView[] = [breaker.view()];
    const look = () => views.push(breaker.view());
    trip(breaker);
    look();
    await clock.advance(10_000);
    look();
    breaker.success(ticketOf(breaker.tryAcquire()));
    look();
    const changes = views.slice(1).map((view, i) => `${views[i]!.state}→${view.state}`);
    expect(changes).toEqual(["CLOSED→OPEN", "OPEN→HALF_OPEN", "HALF_OPEN→CLOSED"]);
    expect(views.map((view) => view.version)).toEqual([0, 1, 2, 3]);
    expect(views.every((view) => view.dependency === "neon")).toBe(true);
    expect(breaker.counters.lastTransitionAt).toBe(clock.now());
  });

  it("validates its options", () => {
    const { options } = setup();
    expect(() => new CircuitBreaker({ ...options, breakDurationMs: 0 })).toThrow(RangeError);
    expect(() => new CircuitBreaker({ ...options, halfOpenProbes: 0 })).toThrow(RangeError);
    expect(() => new CircuitBreaker({ ...options, breakDurationMultiplier: 0.5 })).toThrow(RangeError);
  });
});
