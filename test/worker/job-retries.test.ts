import { createExecutionContext, createMessageBatch, createScheduledController, getQueueResult, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import worker from "../../src/index";
import { defineJob, PermanentJobError } from "../../src/jobs/define-job";
import { enqueueUnchecked } from "../../src/jobs/enqueue";
import type { JobEnvelope } from "../../src/jobs/envelope";
import { registerJob } from "../../src/jobs/registry";
import { api } from "./helpers";
import { ADMIN, getJob, sql, waitForJob } from "./jobs-helpers";

// Jobs with faults in them, registered in this isolate: the Worker under test runs in the
// same isolate as the tests, so its consumer finds them.
const failures = new Map<string, number>();

/** Fails its first `failTimes` attempts, then succeeds. */
const flaky = defineJob(
  "test-flaky",
  z.object({ failTimes: z.number().int() }),
  ({ failTimes }, ctx) => {
    const failed = failures.get(ctx.jobId) ?? 0;
    if (failed < failTimes) {
      failures.set(ctx.jobId, failed + 1);
      return Promise.reject(new Error(`planned failure ${String(failed + 1)}`));
    }
    return Promise.resolve({ attempt: ctx.attempt });
  },
  { maxAttempts: 3, initialDelaySeconds: 1, maxDelaySeconds: 8 },
);
registerJob(flaky);

const refused = defineJob(
  "test-refused",
  z.object({}),
  () => Promise.reject(new PermanentJobError("the input can never work")),
  { maxAttempts: 5 },
);
registerJob(refused);

const scope = () => ({ env, signal: AbortSignal.timeout(10_000), waitUntil: () => undefined });

function envelopeOf(job: { id: string; name: string; payload: unknown }): JobEnvelope {
  return { v: 1, jobId: job.id, name: job.name, payload: job.payload, attempt: 0, requestId: null, enqueuedAt: new Date().toISOString() };
}

/**
 * Delivers one message to the consumer by hand and returns what it did with it, and the
 * delay it asked for (getQueueResult does not report delays, so `retry` is watched).
 */
async function deliver(body: unknown, attempts = 1) {
  const batch = createMessageBatch("edgekit-jobs", [{ id: crypto.randomUUID(), timestamp: new Date(), attempts, body }]);
  const retry = vi.spyOn(batch.messages[0] as Message, "retry");
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  const result = await getQueueResult(batch, ctx);
  return { ...result, delaySeconds: retry.mock.calls[0]?.[0]?.delaySeconds };
}

describe("job retries (messages delivered by hand)", () => {
  it("retries a failed attempt with a delay that grows, then dead-letters it after maxAttempts", async () => {
    // A delayed send, so the real queue does not also deliver it during this test.
    const { job } = await enqueueUnchecked(scope(), "test-flaky", { failTimes: 99 }, { delaySeconds: 3_600 });
    const body = envelopeOf(job);

    const delays: number[] = [];
    for (let attempt = 1; attempt <= 2; attempt++) {
      const result = await deliver(body, attempt);
      expect(result.explicitAcks).toEqual([]);
      expect(result.retryMessages).toHaveLength(1);
      delays.push(result.delaySeconds ?? 0);
      expect((await getJob(job.id)).status).toBe("failed");
    }
    expect(delays[0]).toBeGreaterThanOrEqual(1);
    expect(delays[1]).toBeGreaterThanOrEqual(delays[0] ?? 0);

    const last = await deliver(body, 3);
    expect(last.explicitAcks).toHaveLength(1); // handed to the dead-letter queue, then acked
    const dead = await waitForJob(job.id, ["dead"]);
    expect(dead).toMatchObject({ attempts: 3, last_error: "Error: planned failure 3" });
    expect(dead.payload).toEqual({ failTimes: 99 });
  });

  it("dead-letters a PermanentJobError at once, without retrying", async () => {
    const { job } = await enqueueUnchecked(scope(), "test-refused", {}, { delaySeconds: 3_600 });
    const result = await deliver(envelopeOf(job));
    expect(result.retryMessages).toEqual([]);
    expect(result.explicitAcks).toHaveLength(1);
    const dead = await waitForJob(job.id, ["dead"]);
    expect(dead).toMatchObject({ attempts: 1, last_error: "PermanentJobError: the input can never work" });
  });

  it("acks a duplicate delivery of a finished job without running it again", async () => {
    const { job } = await enqueueUnchecked(scope(), "test-flaky", { failTimes: 0 }, { delaySeconds: 3_600 });
    const body = envelopeOf(job);
    expect((await deliver(body)).explicitAcks).toHaveLength(1);
    const done = await getJob(job.id);
    expect(done).toMatchObject({ status: "succeeded", attempts: 1 });

    const again = await deliver(body, 2);
    expect(again.explicitAcks).toHaveLength(1);
    expect(again.retryMessages).toEqual([]);
    expect(await getJob(job.id)).toMatchObject({ status: "succeeded", attempts: 1, updated_at: done.updated_at });
  });

  it("dead-letters a malformed message, and the rest of its batch still runs", async () => {
    const { job } = await enqueueUnchecked(scope(), "test-flaky", { failTimes: 0 }, { delaySeconds: 3_600 });
    const marker = crypto.randomUUID();
    const bodies: unknown[] = [{ hello: marker }, envelopeOf(job), "not even an object"];
    const batch = createMessageBatch(
      "edgekit-jobs",
      bodies.map((body) => ({ id: crypto.randomUUID(), timestamp: new Date(), attempts: 1, body })),
    );
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.outcome).toBe("ok");
    expect(result.explicitAcks).toHaveLength(3);
    expect(result.retryMessages).toEqual([]);
    expect((await getJob(job.id)).status).toBe("succeeded");

    // The dead-letter consumer keeps the malformed message, whole, as a dead row.
    const until = Date.now() + 10_000;
    let rows: Record<string, unknown>[] = [];
    while (rows.length === 0 && Date.now() < until) {
      rows = await sql()`SELECT status, last_error FROM jobs WHERE payload->'body'->>'hello' = ${marker}`;
      if (rows.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(rows).toEqual([{ status: "dead", last_error: "malformed message: neither a job envelope nor a producer message ({ name, payload })" }]);
  });
});

describe("through the real queue", () => {
  it("retries, dies after maxAttempts, and a replay succeeds", async () => {
    const { job } = await enqueueUnchecked(scope(), "test-flaky", { failTimes: 3 });
    const dead = await waitForJob(job.id, ["dead"], 20_000);
    expect(dead.attempts).toBe(3);

    const replay = await api(`/jobs/${job.id}/retry`, { method: "POST", headers: ADMIN });
    expect(replay.status).toBe(202);
    expect(await replay.json()).toMatchObject({ status: "queued", attempts: 0 });
    const done = await waitForJob(job.id, ["succeeded"]);
    expect(done).toMatchObject({ attempts: 1, result: { attempt: 1 } });

    const again = await api(`/jobs/${job.id}/retry`, { method: "POST", headers: ADMIN });
    expect(again.status).toBe(409);
  }, 40_000);
});

describe("the sweeper (cron trigger)", () => {
  it("sends again a job that was recorded but never sent", async () => {
    const id = crypto.randomUUID();
    await sql().query(
      `INSERT INTO jobs (id, name, status, payload, max_attempts, run_after)
       VALUES ($1, 'test-flaky', 'queued', '{"failTimes":0}', 3, now() - interval '10 minutes')`,
      [id],
    );
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "*/5 * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    const done = await waitForJob(id, ["succeeded"]);
    expect(done.attempts).toBe(1);
  });
});
