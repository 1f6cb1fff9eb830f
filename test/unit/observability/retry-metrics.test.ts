import { describe, expect, it } from "vitest";
import { dependencyEntry, emptyAggregate, mergeAggregate, type MetricsAggregate } from "../../../src/observability/aggregate";
import { emptyHistogram } from "../../../src/observability/histogram";
import { renderPrometheus, summarize } from "../../../src/observability/prometheus";

/** A batch as an isolate sends it: one dependency with calls, retries and give-ups. */
function batch(retries: number, giveUps: Record<string, number>): MetricsAggregate {
  const aggregate = emptyAggregate();
  const entry = dependencyEntry(aggregate, "neon");
  entry.calls = 10;
  entry.retries = retries;
  entry.retryGiveUps = giveUps;
  return aggregate;
}

describe("retry statistics in the metrics", () => {
  it("adds up retries and give-ups by reason across batches", () => {
    const total = emptyAggregate();
    mergeAggregate(total, batch(3, { "max-attempts": 1 }));
    mergeAggregate(total, batch(2, { "max-attempts": 1, budget: 4 }));
    expect(total.dependencies.neon).toMatchObject({ calls: 20, retries: 5, retryGiveUps: { "max-attempts": 2, budget: 4 } });
  });

  it("merges into totals stored before retries were counted", () => {
    // What the metrics object may have in storage from an earlier deploy.
    const stored: MetricsAggregate = { ...emptyAggregate(), dependencies: { neon: { calls: 7, errors: 1, timeouts: 0, latency: emptyHistogram() } } };
    mergeAggregate(stored, batch(2, { budget: 1 }));
    expect(stored.dependencies.neon).toMatchObject({ calls: 17, retries: 2, retryGiveUps: { budget: 1 } });
  });

  it("renders them as Prometheus counters, and in the JSON summary", () => {
    const aggregate = batch(5, { budget: 4, deadline: 1 });
    aggregate.dependencies.redis = { calls: 1, errors: 0, timeouts: 0, latency: emptyHistogram() }; // an old entry
    const text = renderPrometheus(aggregate);
    expect(text).toContain("# TYPE edgekit_dependency_retries_total counter\n");
    expect(text).toMatch(/^edgekit_dependency_retries_total\{dependency="neon"\} 5$/m);
    expect(text).toMatch(/^edgekit_dependency_retries_total\{dependency="redis"\} 0$/m);
    expect(text).toContain("# TYPE edgekit_dependency_retry_give_ups_total counter\n");
    expect(text).toMatch(/^edgekit_dependency_retry_give_ups_total\{dependency="neon",reason="budget"\} 4$/m);
    expect(text).toMatch(/^edgekit_dependency_retry_give_ups_total\{dependency="neon",reason="deadline"\} 1$/m);
    expect(summarize(aggregate).dependencies.find((d) => d.name === "neon")).toMatchObject({ retries: 5, retryGiveUps: { budget: 4 } });
  });
});
