import { describe, expect, it } from "vitest";
import { EndpointPool, type EndpointAdmission } from "../../../src/http/endpoint-pool";
import { CircuitBreaker, ConsecutiveFailures } from "../../../src/resilience";
import { ManualClock } from "../resilience/manual-clock";

const A = "https://a.example";
const B = "https://b.example";
const C = "https://c.example";

function pool(mode: "round-robin" | "in-order" = "round-robin", clock = new ManualClock(1_000)) {
  const created = new EndpointPool(
    [A, B, C],
    (baseUrl) => new CircuitBreaker({ name: baseUrl, strategy: new ConsecutiveFailures(2), breakDurationMs: 1_000, halfOpenProbes: 1, clock }),
    mode,
  );
  return { pool: created, clock };
}

function ticketOf(admission: EndpointAdmission) {
  if (!admission.ok) throw new Error("refused");
  return admission.ticket;
}

/** One call: the first base URL of the order that admits it, with its verdict. */
function call(p: EndpointPool, verdictFor: (baseUrl: string) => "success" | "failure"): string | undefined {
  for (const baseUrl of p.order()) {
    const admission = p.admit(baseUrl);
    if (!admission.ok) continue;
    const verdict = verdictFor(baseUrl);
    p.complete(baseUrl, admission.ticket, verdict);
    if (verdict === "success") return baseUrl;
  }
  return undefined;
}

describe("EndpointPool: balancing and a breaker per base URL", () => {
  it("round-robin: each call starts with the next base URL, the others following in turn", () => {
    const { pool: p } = pool();
    expect([p.order(), p.order(), p.order(), p.order()]).toEqual([
      [A, B, C],
      [B, C, A],
      [C, A, B],
      [A, B, C],
    ]);
  });

  it("in-order: always the first, the others as standbys", () => {
    const { pool: p } = pool("in-order");
    expect([p.order(), p.order()]).toEqual([
      [A, B, C],
      [A, B, C],
    ]);
  });

  it("spreads healthy calls evenly", () => {
    const { pool: p } = pool();
    const served = Array.from({ length: 9 }, () => call(p, () => "success"));
    expect(served.filter((u) => u === A)).toHaveLength(3);
    expect(served.filter((u) => u === B)).toHaveLength(3);
    expect(served.filter((u) => u === C)).toHaveLength(3);
  });

  it("opens a failing base URL's breaker, skips it without trying it, and the others take its share", () => {
    const { pool: p } = pool();
    const tried: string[] = [];
    for (let i = 0; i < 6; i++) {
      call(p, (baseUrl) => {
        tried.push(baseUrl);
        return baseUrl === B ? "failure" : "success";
      });
    }
    expect(p.states()).toEqual([
      { baseUrl: A, state: "CLOSED" },
      { baseUrl: B, state: "OPEN" },
      { baseUrl: C, state: "CLOSED" },
    ]);
    expect(p.admit(B)).toMatchObject({ ok: false, retryAfterMs: 1_000 });
    tried.length = 0;
    const served = Array.from({ length: 6 }, () => call(p, (baseUrl) => (tried.push(baseUrl), "success")));
    expect(tried).not.toContain(B);
    expect(served.every((u) => u === A || u === C)).toBe(true);
  });

  it("after the break lets one probe through, and closes when it succeeds", async () => {
    const { pool: p, clock } = pool();
    for (let i = 0; i < 2; i++) p.complete(B, ticketOf(p.admit(B)), "failure");
    expect(p.states()[1]?.state).toBe("OPEN");
    await clock.advance(1_000);
    const probe = ticketOf(p.admit(B));
    expect(probe.kind).toBe("probe");
    expect(p.admit(B).ok).toBe(false); // one probe at a time
    p.complete(B, probe, "success");
    expect(p.states()[1]?.state).toBe("CLOSED");
  });

  it("frees a probe's slot when its call ends without a verdict (the caller left)", async () => {
    const { pool: p, clock } = pool();
    for (let i = 0; i < 2; i++) p.complete(C, ticketOf(p.admit(C)), "failure");
    await clock.advance(1_000);
    p.complete(C, ticketOf(p.admit(C)), "release");
    expect(p.admit(C).ok).toBe(true);
  });

  it("refuses a base URL it does not hold", () => {
    const { pool: p } = pool();
    expect(() => p.admit("https://other.example")).toThrow(/not one of this pool's base URLs/);
  });
});
