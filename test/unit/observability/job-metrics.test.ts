import { describe, expect, it } from "vitest";
import { emptyAggregate, jobEntry, mergeAggregate, type MetricsAggregate } from "../../../src/observability/aggregate";
import { observe as observeLatency } from "../../../src/observability/histogram";
import { renderPrometheus, summarize } from "../../../src/observability/prometheus";
import { jobSeries, jobsPerMinute, RECENT_MINUTES, recordMinute, windowTotals } from "../../../src/observability/recent";

const T0 = Date.UTC(2026, 11, 2, 10, 0, 30);
const MINUTE = 60_000;

function jobs(name: string, counts: { succeeded?: number; failed?: number; dead?: number; duplicates?: number }, durationsMs: number[] = []): MetricsAggregate {
  const batch = emptyAggregate();
  const entry = jobEntry(batch, name);
  Object.assign(entry, { succeeded: 0, failed: 0, dead: 0, duplicates: 0, ...counts });
  for (const ms of durationsMs) observeLatency(entry.duration, ms);
  return batch;
}

describe("job statistics", () => {
  it("adds up outcomes and durations per job name across batches, into totals stored before jobs were counted", () => {
    const stored: MetricsAggregate = { routes: {}, dependencies: {}, slowQueries: { count: 0, latest: [] } };
    mergeAggregate(stored, jobs("a", { succeeded: 2, failed: 1 }, [30, 40, 60]));
    mergeAggregate(stored, jobs("a", { dead: 1, duplicates: 2 }, [70]));
    mergeAggregate(stored, jobs("b", { succeeded: 1 }, [3]));
    expect(stored.jobs?.a).toMatchObject({ succeeded: 2, failed: 1, dead: 1, duplicates: 2, duration: { count: 4, sum: 200 } });
    expect(stored.jobs?.b).toMatchObject({ succeeded: 1, duration: { count: 1 } });
  });

  it("keeps per-minute counts for the last 15 minutes and adds them up over a window", () => {
    let ring = recordMinute([], jobs("a", { succeeded: 4, dead: 1 }), T0 - 20 * MINUTE);
    ring = recordMinute(ring, jobs("a", { succeeded: 3, failed: 1 }), T0 - 2 * MINUTE);
    ring = recordMinute(ring, jobs("a", { succeeded: 2, dead: 2 }), T0);
    ring = recordMinute(ring, jobs("a", { succeeded: 1 }), T0 + 10_000);
    expect(ring.map((m) => m.minute)).toEqual([T0 - 2 * MINUTE - 30_000, T0 - 30_000]);
    expect(windowTotals(ring, T0, 1)).toMatchObject({ dead: 2 });
    expect(windowTotals(ring, T0, 3)).toMatchObject({ dead: 2 });
    const series = jobSeries(ring, "a", T0);
    expect(series).toHaveLength(RECENT_MINUTES);
    expect(series.at(-1)).toEqual({ minute: new Date(T0 - 30_000).toISOString(), succeeded: 3, failed: 0, dead: 2 });
    expect(series.at(-3)).toMatchObject({ succeeded: 3, failed: 1, dead: 0 });
    expect(series.at(-2)).toMatchObject({ succeeded: 0, failed: 0, dead: 0 });
    // (3 + 1) + (3 + 2) settled in 15 minutes.
    expect(jobsPerMinute(ring, "a", T0)).toBe(0.6);
    expect(jobsPerMinute(ring, "nope", T0)).toBe(0);
  });

  it("shows per job in JSON: outcomes, percentiles, throughput and the last minutes", () => {
    const total = jobs("notify-webhook", { succeeded: 3, failed: 1, dead: 1, duplicates: 1 }, [60, 70, 80, 90, 200]);
    const ring = recordMinute([], total, T0);
    const summary = summarize(total, ring, T0);
    expect(summary.jobs["notify-webhook"]).toMatchObject({ succeeded: 3, failed: 1, dead: 1, duplicates: 1, perMinute: 0.33 });
    const { p50, p95, p99 } = summary.jobs["notify-webhook"]?.durationMs ?? {};
    expect(p50).toBeGreaterThan(50);
    expect(p50).toBeLessThanOrEqual(100);
    expect(p95).toBeGreaterThan(100);
    expect(p99).toBeGreaterThanOrEqual(p95 ?? Infinity);
    expect(summary.jobs["notify-webhook"]?.recent.at(-1)).toMatchObject({ succeeded: 3, failed: 1, dead: 1 });
  });

  it("renders job_runs_total by outcome, job_duplicates_total and the job_duration_ms histogram", () => {
    const text = renderPrometheus(jobs('say "hi"', { succeeded: 2, failed: 1, dead: 3, duplicates: 4 }, [60, 70]));
    expect(text).toContain("# TYPE edgekit_job_runs_total counter");
    expect(text).toContain('edgekit_job_runs_total{job="say \\"hi\\"",outcome="succeeded"} 2');
    expect(text).toContain('edgekit_job_runs_total{job="say \\"hi\\"",outcome="failed"} 1');
    expect(text).toContain('edgekit_job_runs_total{job="say \\"hi\\"",outcome="dead"} 3');
    expect(text).toContain('edgekit_job_duplicates_total{job="say \\"hi\\""} 4');
    expect(text).toContain("# TYPE edgekit_job_duration_ms histogram");
    expect(text).toContain('edgekit_job_duration_ms_bucket{job="say \\"hi\\"",le="50"} 0');
    expect(text).toContain('edgekit_job_duration_ms_bucket{job="say \\"hi\\"",le="100"} 2');
    expect(text).toContain('edgekit_job_duration_ms_count{job="say \\"hi\\""} 2');
  });
});
