import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import worker from "../../src/index";
import { defineJob, PermanentJobError } from "../../src/jobs/define-job";
import { enqueueUnchecked } from "../../src/jobs/enqueue";
import { registerJob } from "../../src/jobs/registry";
import { api } from "./helpers";
import { ADMIN, waitForJob } from "./jobs-helpers";

// Jobs of this file's own, under names no other run of it shares: the metrics object keeps
// fleet-wide totals for the whole test run, so counts per name are this file's alone.
const run = crypto.randomUUID().slice(0, 8);
const names = { ok: `test-stats-ok-${run}`, flaky: `test-stats-flaky-${run}`, doomed: `test-stats-doomed-${run}` };
/** Every run of the succeeding job takes longer than 50 ms: its time lands in the 50–100 ms bucket or above. */
const OK_RUN_MS = 60;

const failedOnce = new Set<string>();
registerJob(
  defineJob(names.ok, z.object({}), async (_payload, ctx) => {
    await new Promise((resolve) => setTimeout(resolve, OK_RUN_MS));
    return { attempt: ctx.attempt };
  }),
);
registerJob(
  defineJob(
    names.flaky,
    z.object({}),
    (_payload, ctx) => {
      if (failedOnce.has(ctx.jobId)) return Promise.resolve({ attempt: ctx.attempt });
      failedOnce.add(ctx.jobId);
      return Promise.reject(new Error("planned failure"));
    },
    { maxAttempts: 3, initialDelaySeconds: 1, maxDelaySeconds: 2 },
  ),
);
registerJob(defineJob(names.doomed, z.object({}), () => Promise.reject(new PermanentJobError("this input can never work")), { maxAttempts: 5 }));

const scope = () => ({ env, signal: AbortSignal.timeout(10_000), waitUntil: () => undefined });

interface JobStats {
  succeeded: number;
  failed: number;
  dead: number;
  duplicates: number;
  durationMs: { p50: number | null; p95: number | null; p99: number | null };
  perMinute: number;
  recent: { minute: string; succeeded: number; failed: number; dead: number }[];
}

async function jobStats(): Promise<Record<string, JobStats>> {
  const response = await api("/metrics?format=json", { headers: ADMIN });
  expect(response.status).toBe(200);
  return (await response.json<{ jobs: Record<string, JobStats> }>()).jobs;
}

/** Polls GET /metrics until `done` holds: the dead-letter consumer counts a job once it has marked it. */
async function statsWhen(done: (jobs: Record<string, JobStats>) => boolean, timeoutMs = 15_000): Promise<Record<string, JobStats>> {
  const until = Date.now() + timeoutMs;
  let jobs = await jobStats();
  while (!done(jobs)) {
    if (Date.now() > until) throw new Error(`job statistics not reached in time: ${JSON.stringify(jobs)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    jobs = await jobStats();
  }
  return jobs;
}

const sum = (stats: JobStats | undefined, key: "succeeded" | "failed" | "dead") => (stats?.recent ?? []).reduce((total, minute) => total + minute[key], 0);

describe("job statistics (jobs run by the real queue)", () => {
  it("counts each job's runs by outcome, their time, throughput and last minutes, in /metrics JSON and text", async () => {
    const ok = await Promise.all([0, 1, 2].map(() => enqueueUnchecked(scope(), names.ok, {})));
    const flaky = await Promise.all([0, 1].map(() => enqueueUnchecked(scope(), names.flaky, {})));
    const doomed = await Promise.all([0, 1].map(() => enqueueUnchecked(scope(), names.doomed, {})));
    for (const { job } of [...ok, ...flaky]) await waitForJob(job.id, ["succeeded"]);
    for (const { job } of doomed) await waitForJob(job.id, ["dead"]);

    const jobs = await statsWhen((j) => j[names.doomed]?.dead === 2 && j[names.ok]?.succeeded === 3 && j[names.flaky]?.succeeded === 2);
    expect(jobs[names.ok]).toMatchObject({ succeeded: 3, failed: 0, dead: 0, duplicates: 0 });
    // Each flaky job failed once (retried), then succeeded.
    expect(jobs[names.flaky]).toMatchObject({ succeeded: 2, failed: 2, dead: 0 });
    // A refused job is dead at once: no failure with a retry ahead, one dead job each.
    expect(jobs[names.doomed]).toMatchObject({ succeeded: 0, failed: 0, dead: 2 });

    const okStats = jobs[names.ok];
    expect(okStats?.durationMs.p50).toBeGreaterThan(50);
    expect(okStats?.durationMs.p50).toBeLessThanOrEqual(okStats?.durationMs.p95 ?? 0);
    expect(okStats?.durationMs.p95).toBeLessThanOrEqual(okStats?.durationMs.p99 ?? 0);
    // Settled per minute over the last 15 minutes, and those minutes one by one.
    expect(okStats?.perMinute).toBe(0.2);
    expect(jobs[names.flaky]?.perMinute).toBeCloseTo(4 / 15, 2);
    expect(okStats?.recent).toHaveLength(15);
    expect(Date.parse(okStats?.recent.at(-1)?.minute ?? "")).toBeLessThanOrEqual(Date.now());
    expect(sum(okStats, "succeeded")).toBe(3);
    expect([sum(jobs[names.flaky], "succeeded"), sum(jobs[names.flaky], "failed")]).toEqual([2, 2]);
    expect(sum(jobs[names.doomed], "dead")).toBe(2);

    const text = await (await api("/metrics", { headers: ADMIN })).text();
    const label = (name: string) => `job="${name}"`;
    expect(text).toContain(`edgekit_job_runs_total{${label(names.ok)},outcome="succeeded"} 3`);
    expect(text).toContain(`edgekit_job_runs_total{${label(names.flaky)},outcome="failed"} 2`);
    expect(text).toContain(`edgekit_job_runs_total{${label(names.flaky)},outcome="succeeded"} 2`);
    expect(text).toContain(`edgekit_job_runs_total{${label(names.doomed)},outcome="dead"} 2`);
    // Every run is timed: none of the succeeding job's took 50 ms or less; the dead jobs' one run each.
    expect(text).toContain(`edgekit_job_duration_ms_bucket{${label(names.ok)},le="50"} 0`);
    expect(text).toContain(`edgekit_job_duration_ms_count{${label(names.ok)}} 3`);
    expect(text).toContain(`edgekit_job_duration_ms_count{${label(names.flaky)}} 4`);
    expect(text).toContain(`edgekit_job_duration_ms_count{${label(names.doomed)}} 2`);
  });

  it("counts a repeat delivery of a finished job as a duplicate, without running it", async () => {
    const { job } = await enqueueUnchecked(scope(), names.ok, {});
    await waitForJob(job.id, ["succeeded"]);
    const before = (await statsWhen((j) => (j[names.ok]?.succeeded ?? 0) >= 4))[names.ok];

    const envelope = { v: 1, jobId: job.id, name: job.name, payload: job.payload, attempt: 0, requestId: null, enqueuedAt: new Date().toISOString() };
    const batch = createMessageBatch("edgekit-jobs", [{ id: crypto.randomUUID(), timestamp: new Date(), attempts: 1, body: envelope }]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toHaveLength(1);

    const after = (await statsWhen((j) => j[names.ok]?.duplicates === (before?.duplicates ?? 0) + 1))[names.ok];
    expect(after).toMatchObject({ succeeded: before?.succeeded, duplicates: (before?.duplicates ?? 0) + 1 });
  });
});
