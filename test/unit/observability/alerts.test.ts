import { describe, expect, it } from "vitest";
import { advance, HISTORY_SIZE, nextResolutionAt, type AlertBook, type Observation } from "../../../src/alerts/evaluate";
import { observe } from "../../../src/alerts/observe";
import { alertRules, type AlertRule } from "../../../src/alerts/rules";
import { emptyAggregate, routeEntry, jobEntry, type MetricsAggregate } from "../../../src/observability/aggregate";
import { recordMinute, type MinuteCounts } from "../../../src/observability/recent";

const HOLD_MS = 60_000;
const T0 = Date.UTC(2026, 11, 2, 10, 0, 0);
const book = (): AlertBook => ({ rules: {}, history: [] });
const seen = (breached: boolean, value?: number): Observation[] => [{ id: "rule", breached, message: breached ? "bad" : "fine", ...(value === undefined ? {} : { value }) }];

describe("alert state machine", () => {
  it("fires once when the condition starts to hold, and stays quiet while it lasts", () => {
    const alerts = book();
    expect(advance(alerts, seen(false), T0, HOLD_MS)).toEqual([]);
    const fired = advance(alerts, seen(true, 0.3), T0 + 1_000, HOLD_MS);
    expect(fired).toEqual([
      { id: "rule", state: "firing", at: new Date(T0 + 1_000).toISOString(), since: new Date(T0 + 1_000).toISOString(), value: 0.3, message: "bad" },
    ]);
    for (let i = 2; i < 50; i++) expect(advance(alerts, seen(true, 0.4), T0 + i * 1_000, HOLD_MS)).toEqual([]);
    expect(alerts.rules.rule).toEqual({ firing: true, since: T0 + 1_000, value: 0.4 });
  });

  it("resolves only after the condition has stayed clear for the hold, with the firing's since", () => {
    const alerts = book();
    advance(alerts, seen(true), T0, HOLD_MS);
    expect(advance(alerts, seen(false), T0 + 10_000, HOLD_MS)).toEqual([]);
    expect(nextResolutionAt(alerts, HOLD_MS)).toBe(T0 + 10_000 + HOLD_MS);
    expect(advance(alerts, seen(false), T0 + 10_000 + HOLD_MS - 1, HOLD_MS)).toEqual([]);
    const resolved = advance(alerts, seen(false), T0 + 10_000 + HOLD_MS, HOLD_MS);
    expect(resolved).toMatchObject([{ id: "rule", state: "resolved", since: new Date(T0).toISOString(), message: "fine" }]);
    expect(alerts.rules.rule).toEqual({ firing: false });
    expect(nextResolutionAt(alerts, HOLD_MS)).toBeNull();
  });

  it("sends nothing while a condition flaps inside the hold: one firing, then one resolution once it settles", () => {
    const alerts = book();
    const events = [];
    for (let s = 0; s < 300; s++) events.push(...advance(alerts, seen(s % 7 < 3), T0 + s * 1_000, HOLD_MS));
    // Settled: clear from now on.
    for (let s = 300; s < 400; s++) events.push(...advance(alerts, seen(false), T0 + s * 1_000, HOLD_MS));
    expect(events.map((e) => e.state)).toEqual(["firing", "resolved"]);
  });

  it("keeps the history newest first, bounded", () => {
    const alerts = book();
    for (let i = 0; i < HISTORY_SIZE; i++) {
      advance(alerts, seen(true), T0 + i * 2 * HOLD_MS, HOLD_MS);
      advance(alerts, seen(false), T0 + i * 2 * HOLD_MS + 1, HOLD_MS);
      advance(alerts, seen(false), T0 + i * 2 * HOLD_MS + 1 + HOLD_MS, HOLD_MS);
    }
    expect(alerts.history).toHaveLength(HISTORY_SIZE);
    expect(alerts.history[0]?.state).toBe("resolved");
    expect(alerts.history[1]?.state).toBe("firing");
    expect(Date.parse(alerts.history[0]?.at ?? "")).toBeGreaterThan(Date.parse(alerts.history[1]?.at ?? ""));
  });

  it("forgets a rule that is no longer configured", () => {
    const alerts = book();
    advance(alerts, seen(true), T0, HOLD_MS);
    advance(alerts, [{ id: "other", breached: false, message: "" }], T0 + 1, HOLD_MS);
    expect(Object.keys(alerts.rules)).toEqual(["other"]);
  });
});

/** The rules of the default configuration, with a short window for the 5xx one. */
const rules: AlertRule[] = alertRules({
  ALERT_5XX_RATIO: 0.05,
  ALERT_5XX_WINDOW_MINUTES: 5,
  ALERT_5XX_MIN_REQUESTS: 20,
  ALERT_DEAD_LETTERS_PER_WINDOW: 2,
  ALERT_DEAD_LETTERS_WINDOW_MINUTES: 15,
} as Parameters<typeof alertRules>[0]);

function traffic(requests: number, serverErrors: number, dead = 0): MetricsAggregate {
  const batch = emptyAggregate();
  const route = routeEntry(batch, "GET", "/products/{id}");
  route.count = requests;
  route.errors = serverErrors;
  if (dead > 0) jobEntry(batch, "notify-webhook").dead = dead;
  return batch;
}

const byId = (observations: Observation[], id: string) => observations.find((o) => o.id === id);

describe("alert rules", () => {
  it("has one breaker rule per dependency, the 5xx ratio and the dead letters", () => {
    expect(rules.map((r) => r.id)).toEqual(["breaker-open:neon", "breaker-open:redis", "breaker-open:reviews", "breaker-open:webhooks", "http-5xx-ratio", "dead-letters"]);
  });

  it("counts a breaker as open from OPEN until it is CLOSED again (HALF_OPEN and held open included)", () => {
    for (const [state, breached] of [["OPEN", true], ["HALF_OPEN", true], ["FORCED_OPEN", true], ["CLOSED", false], ["FORCED_CLOSED", false]] as const) {
      const observations = observe(rules, { recent: [], breakers: { neon: { state, version: 3 } } }, T0);
      expect(byId(observations, "breaker-open:neon")).toMatchObject({ breached, message: `The neon circuit breaker is ${state}.` });
      expect(byId(observations, "breaker-open:redis")?.breached).toBe(false);
    }
  });

  it("fires the 5xx rule above the ratio, only with enough requests, over its window only", () => {
    const at = (ring: MinuteCounts[]) => byId(observe(rules, { recent: ring, breakers: {} }, T0 + 30_000), "http-5xx-ratio");
    expect(at(recordMinute([], traffic(10, 9), T0))).toMatchObject({ breached: false, value: 0.9 }); // too few requests
    expect(at(recordMinute([], traffic(100, 5), T0))).toMatchObject({ breached: false, value: 0.05 }); // not above
    expect(at(recordMinute([], traffic(100, 6), T0))).toMatchObject({ breached: true, value: 0.06 });
    // Errors six minutes ago are out of a five-minute window.
    const ring = recordMinute(recordMinute([], traffic(100, 50), T0 - 6 * 60_000), traffic(100, 1), T0);
    expect(at(ring)).toMatchObject({ breached: false, value: 0.01 });
  });

  it("fires the dead-letter rule above its count within its window", () => {
    const at = (ring: MinuteCounts[]) => byId(observe(rules, { recent: ring, breakers: {} }, T0), "dead-letters");
    expect(at(recordMinute([], traffic(0, 0, 2), T0))).toMatchObject({ breached: false, value: 2 });
    const ring = recordMinute(recordMinute([], traffic(0, 0, 2), T0 - 14 * 60_000), traffic(0, 0, 1), T0);
    expect(at(ring)).toMatchObject({ breached: true, value: 3 });
  });
});
