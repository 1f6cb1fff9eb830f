import { describe, expect, it } from "vitest";
import type { DependencyPolicy } from "../../../src/config/dependencies";
import {
  BreakerClient,
  VIEW_TTL_MS,
  type BreakerContext,
  type BreakerObject,
  type Permit,
} from "../../../src/dependencies/breaker-client";
import { ConsecutiveFailures } from "../../../src/resilience/breaker-strategy";
import { CircuitBreaker, type Outcome, type Ticket } from "../../../src/resilience/circuit-breaker";
import { BrokenCircuitError } from "../../../src/resilience/errors";
import { deferred, flush, outcome, type Deferred } from "../resilience/helpers";
import { ManualClock } from "../resilience/manual-clock";

const BREAK_MS = 10_000;
const THRESHOLD = 3;

const policy: DependencyPolicy = {
  timeoutMs: 1_000,
  retry: { maxAttempts: 2, initialDelayMs: 10, maxDelayMs: 100 },
  bulkhead: { maxConcurrent: 10, maxQueue: 10 },
  breaker: {
    consecutiveFailures: THRESHOLD,
    failureRate: 0.5,
    minThroughput: 20,
    windowMs: 30_000,
    breakDurationMs: BREAK_MS,
    maxBreakDurationMs: 12 * BREAK_MS,
    halfOpenProbes: 1,
  },
};

type Call =
  | { method: "acquire" }
  | { method: "complete"; ticket: Ticket; verdict: "success" | "failure" | "release" }
  | { method: "report"; outcomes: Outcome[] };

/**
 * A stand-in for the circuit's Durable Object: the real state machine behind the three RPC
 * methods the client calls (as CircuitBreakerObject does), every call recorded, and switches
 * to make it unreachable (`down`) or to hold its answers until a test lets them go (`hold`).
 */
function fakeObject(clock: ManualClock) {
  const breaker = new CircuitBreaker({ name: "neon", strategy: new ConsecutiveFailures(THRESHOLD), breakDurationMs: BREAK_MS, clock });
  const calls: Call[] = [];
  const switches: { down: boolean; hold: Deferred<void> | undefined } = { down: false, hold: undefined };
  const answer = async <T>(call: Call, decide: () => T): Promise<T> => {
    calls.push(call);
    if (switches.hold) await switches.hold.promise;
    if (switches.down) throw new Error("Durable Object unreachable");
    return decide();
  };
  const object: BreakerObject = {
    acquire: () => answer({ method: "acquire" }, () => ({ admission: breaker.tryAcquire(), view: breaker.view() })),
    complete: (_name, ticket, verdict) =>
      answer({ method: "complete", ticket, verdict }, () => {
        if (verdict === "success") breaker.success(ticket);
        else if (verdict === "failure") breaker.failure(ticket);
        else breaker.release(ticket);
        return breaker.view();
      }),
    report: (_name, outcomes) =>
      answer({ method: "report", outcomes }, () => {
        breaker.recordOutcomes(outcomes);
        return breaker.view();
      }),
  };
  return { breaker, calls, switches, object };
}

function setup() {
  const clock = new ManualClock(1_000_000);
  const fake = fakeObject(clock);
  const background: Promise<unknown>[] = [];
  const ctx: BreakerContext = {
    namespace: {
      idFromName: (name) => ({ name, toString: () => name, equals: (other) => other.name === name }),
      get: () => fake.object,
    },
    waitUntil: (promise) => background.push(promise),
    policy,
  };
  const client = new BreakerClient(clock);
  const reports = () => fake.calls.filter((call): call is Extract<Call, { method: "report" }> => call.method === "report");
  /** One call through the client with the given end; resolves once the client is done with it. */
  const call = async (verdict: "success" | "failure" | "release") => {
    const permit = await client.admit("neon", ctx);
    client.complete("neon", permit, verdict, ctx);
  };
  return { clock, fake, background, ctx, client, reports, call };
}

const rejection = async (promise: Promise<Permit>) => {
  const result = await outcome(promise);
  if (result.ok) throw new Error("admitted");
  return result.error;
};

describe("BreakerClient: a CLOSED circuit costs no round trip", () => {
  it("admits the first call at once and fetches the view in the background, through waitUntil", async () => {
    const { client, ctx, fake, background, reports } = setup();
    fake.switches.hold = deferred();
    // Admitted while the object has not answered: nobody waits for it.
    expect(await client.admit("neon", ctx)).toEqual({ kind: "local" });
    expect(reports().map((r) => r.outcomes)).toEqual([[]]);
    expect(background).toHaveLength(1);
    expect(client.cachedView("neon")).toBeUndefined();
    fake.switches.hold.resolve();
    await flush();
    expect(client.cachedView("neon")).toMatchObject({ state: "CLOSED", version: 0 });
  });

  it("trusts its cached view for VIEW_TTL_MS, then refreshes it in the background", async () => {
    const { clock, call, reports } = setup();
    // Calls whose caller gave up: no outcome to send, so only the view's age prompts a report.
    await call("release");
    await flush();
    await clock.advance(VIEW_TTL_MS);
    await call("release");
    await flush();
    expect(reports()).toHaveLength(1);
    await clock.advance(1);
    await call("release");
    await flush();
    expect(reports()).toHaveLength(2);
  });

  it("sends successes in one batch per second at most, counted per bucket", async () => {
    const { clock, call, reports, background } = setup();
    const t0 = clock.now();
    await call("release"); // fetches the view; a release is no outcome
    await flush();
    for (let i = 0; i < 10; i++) await call("success");
    await flush();
    expect(reports()).toHaveLength(1);
    await clock.advance(1_000);
    await call("success");
    await flush();
    expect(reports().map((r) => r.outcomes)).toEqual([
      [],
      [
        { successes: 10, failures: 0, at: t0 },
        { successes: 1, failures: 0, at: t0 + 1_000 },
      ],
    ]);
    expect(background).toHaveLength(2);
  });

  it("sends a failure within 50 ms, not a second later", async () => {
    const { clock, call, reports } = setup();
    const t0 = clock.now();
    await call("success");
    await call("failure");
    await flush();
    expect(reports()).toHaveLength(1);
    await clock.advance(50);
    await call("failure");
    await flush();
    expect(reports().at(-1)?.outcomes).toEqual([{ successes: 1, failures: 2, at: t0 }]);
  });

  it("has one report on its way at a time; outcomes recorded meanwhile follow as soon as it returns", async () => {
    const { clock, call, fake, reports } = setup();
    fake.switches.hold = deferred();
    await call("success"); // the first report is held
    await clock.advance(50);
    await call("failure");
    await flush();
    expect(reports()).toHaveLength(1);
    fake.switches.hold.resolve();
    await flush();
    expect(reports().map((r) => r.outcomes)).toEqual([[], [{ successes: 1, failures: 1, at: clock.now() - 50 }]]);
  });

  it("keeps calling on its last view while the object is unreachable", async () => {
    const { client, ctx, call, fake } = setup();
    await call("success");
    await flush();
    fake.switches.down = true;
    expect(await client.admit("neon", ctx)).toEqual({ kind: "local" });
    expect(client.cachedView("neon")).toMatchObject({ state: "CLOSED" });
  });
});

describe("BreakerClient: failures seen by this isolate", () => {
  it("trips locally on the threshold's failure, refuses at once, and tells the object without delay", async () => {
    const { clock, client, ctx, call, fake, reports } = setup();
    await call("success");
    await flush();
    fake.switches.hold = deferred();
    for (let i = 0; i < THRESHOLD; i++) await call("failure");
    // Before the object has answered: the isolate's own view is OPEN for a break.
    expect(client.cachedView("neon")).toMatchObject({ state: "OPEN", openUntil: clock.now() + BREAK_MS, version: 0 });
    expect(reports().at(-1)?.outcomes).toEqual([{ successes: 1, failures: THRESHOLD, at: clock.now() }]);
    const callsBefore = fake.calls.length;
    expect(await rejection(client.admit("neon", ctx))).toMatchObject({ state: "OPEN", retryAfterMs: BREAK_MS });
    expect(fake.calls).toHaveLength(callsBefore);
    // The object opened too, and its view (a newer version) replaces the local one.
    fake.switches.hold.resolve();
    await flush();
    expect(client.cachedView("neon")).toMatchObject({ state: "OPEN", version: 1 });
  });

  it("lets no more calls out after a failure than would trip the breaker", async () => {
    const { client, ctx, call } = setup();
    await call("failure");
    const first = await client.admit("neon", ctx);
    await client.admit("neon", ctx);
    // 1 failure + 2 in flight reach the threshold of 3: refused, to try again very soon.
    const refused = await rejection(client.admit("neon", ctx));
    expect(refused).toBeInstanceOf(BrokenCircuitError);
    expect(refused).toMatchObject({ dependency: "neon", state: "OPEN", retryAfterMs: 50 });
    client.complete("neon", first, "success", ctx); // a success clears the failure
    expect(await client.admit("neon", ctx)).toEqual({ kind: "local" });
  });

  it("after a local trip's break, lets one call test the water though the object never heard", async () => {
    const { clock, client, ctx, call, fake } = setup();
    fake.switches.down = true;
    for (let i = 0; i < THRESHOLD; i++) await call("failure");
    await flush();
    expect(await rejection(client.admit("neon", ctx))).toMatchObject({ state: "OPEN" });
    await clock.advance(BREAK_MS);
    // The break is over: the client asks the object for a probe, cannot reach it, and goes
    // on its own, one call at a time.
    expect(await client.admit("neon", ctx)).toEqual({ kind: "local" });
    expect(await rejection(client.admit("neon", ctx))).toMatchObject({ state: "HALF_OPEN", retryAfterMs: 50 });
    expect(fake.calls.filter((c) => c.method === "acquire")).toHaveLength(2);
  });
});

describe("BreakerClient: an OPEN circuit and its probes", () => {
  /** The object opened by other isolates' failures, and this client told (as an admin action does). */
  function opened() {
    const context = setup();
    context.fake.breaker.recordOutcomes([{ successes: 0, failures: THRESHOLD, at: context.clock.now() }]);
    context.client.adopt("neon", context.fake.breaker.view());
    return context;
  }

  it("refuses while OPEN without asking the object, with the time left by the isolate's clock", async () => {
    const { clock, client, ctx, fake } = opened();
    expect(await rejection(client.admit("neon", ctx))).toMatchObject({ dependency: "neon", state: "OPEN", retryAfterMs: BREAK_MS });
    await clock.advance(4_000);
    expect(await rejection(client.admit("neon", ctx))).toMatchObject({ state: "OPEN", retryAfterMs: 6_000 });
    expect(fake.calls.filter((c) => c.method === "acquire")).toEqual([]);
  });

  it("once the break is over, claims a probe ticket and reports the probe's verdict with it", async () => {
    const { clock, client, ctx, fake, background } = opened();
    await clock.advance(BREAK_MS);
    const permit = await client.admit("neon", ctx);
    expect(permit).toMatchObject({ kind: "ticket", ticket: { kind: "probe" } });
    expect(client.cachedView("neon")).toMatchObject({ state: "HALF_OPEN" });
    // Another caller meanwhile: the object has no second probe slot.
    expect(await rejection(client.admit("neon", ctx))).toMatchObject({ state: "HALF_OPEN" });
    const before = background.length;
    client.complete("neon", permit, "success", ctx);
    expect(background).toHaveLength(before + 1);
    await flush();
    expect(fake.calls.at(-1)).toMatchObject({ method: "complete", verdict: "success", ticket: permit.kind === "ticket" ? permit.ticket : {} });
    expect(client.cachedView("neon")).toMatchObject({ state: "CLOSED" });
    expect(await client.admit("neon", ctx)).toEqual({ kind: "local" });
  });

  it("a failed probe opens the circuit again, for the object and then for the isolate", async () => {
    const { clock, client, ctx } = opened();
    await clock.advance(BREAK_MS);
    const permit = await client.admit("neon", ctx);
    client.complete("neon", permit, "failure", ctx);
    await flush();
    expect(client.cachedView("neon")).toMatchObject({ state: "OPEN", openUntil: clock.now() + BREAK_MS });
    expect(await rejection(client.admit("neon", ctx))).toMatchObject({ state: "OPEN" });
  });

  it("goes on as a local call when the claim finds the circuit closed meanwhile", async () => {
    const { clock, client, ctx, fake } = opened();
    await clock.advance(BREAK_MS);
    fake.breaker.reset(); // an operator closed it
    expect(await client.admit("neon", ctx)).toEqual({ kind: "local" });
    expect(client.cachedView("neon")).toMatchObject({ state: "CLOSED" });
  });
});

describe("BreakerClient: views", () => {
  it("drops outcomes buffered before a transition: they were about the old state", async () => {
    const { clock, client, ctx, call, fake, reports } = setup();
    await call("success");
    await flush();
    await clock.advance(VIEW_TTL_MS + 1);
    fake.switches.hold = deferred();
    // The first call sends a report the object answers late; the three successes wait for the next.
    await call("success");
    await call("success");
    await call("success");
    fake.breaker.forceOpen();
    fake.switches.hold.resolve();
    await flush();
    expect(client.cachedView("neon")).toMatchObject({ state: "FORCED_OPEN", version: 1 });
    fake.breaker.reset();
    await clock.advance(VIEW_TTL_MS + 1);
    // FORCED_OPEN in the cache: refused, but the view is refreshed and nothing old is sent.
    await outcome(client.admit("neon", ctx));
    await flush();
    // The three successes of the held report's time were never sent, then or later.
    expect(reports().map((r) => r.outcomes)).toEqual([[], [{ successes: 1, failures: 0, at: clock.now() - 2 * (VIEW_TTL_MS + 1) }], []]);
    expect(client.cachedView("neon")).toMatchObject({ state: "CLOSED", version: 2 });
  });

  it("adopts a view an admin action read, even one that is not newer", () => {
    const { client, fake } = setup();
    fake.breaker.forceOpen();
    client.adopt("neon", fake.breaker.view());
    expect(client.cachedView("neon")).toMatchObject({ state: "FORCED_OPEN", version: 1 });
    client.adopt("neon", { ...fake.breaker.view(), state: "CLOSED", version: 0 });
    expect(client.cachedView("neon")).toMatchObject({ state: "CLOSED", version: 0 });
  });
});
