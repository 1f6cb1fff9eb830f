import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { defineJob } from "../../src/jobs/define-job";
import { enqueueUnchecked } from "../../src/jobs/enqueue";
import type { JobEnvelope } from "../../src/jobs/envelope";
import { registerJob } from "../../src/jobs/registry";
import { mapConcurrent } from "../../src/resilience";
import { sql } from "./jobs-helpers";

const JOBS = 300;

/** A seeded generator (mulberry32): the same faults on every run. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = seeded(20261122);
const runs = new Map<string, number>();

/**
 * Writes one ledger entry per job, with a fault before and after the write at random. The
 * ledger has no unique key and the write is check-then-insert: it stays exactly-once only
 * if no two attempts of a job ever run at once, which is what the consumer's claim promises.
 */
const ledgerJob = defineJob(
  "test-ledger",
  z.object({ amount: z.number().int() }),
  async ({ amount }, ctx) => {
    runs.set(ctx.jobId, (runs.get(ctx.jobId) ?? 0) + 1);
    if (random() < 0.2) throw new Error("crash before the side effect");
    await ctx.db(
      (db) => db`INSERT INTO test_ledger (job_id, amount)
                 SELECT ${ctx.jobId}, ${amount} WHERE NOT EXISTS (SELECT 1 FROM test_ledger WHERE job_id = ${ctx.jobId})`,
      { idempotent: true },
    );
    if (random() < 0.2) throw new Error("crash after the side effect");
    return { amount };
  },
  { maxAttempts: 12, initialDelaySeconds: 0, maxDelaySeconds: 0 },
);
registerJob(ledgerJob);

describe("crashes and duplicate deliveries", () => {
  beforeAll(async () => {
    await sql()`CREATE TABLE IF NOT EXISTS test_ledger (job_id uuid NOT NULL, amount integer NOT NULL)`;
  });

  it("every job ends in one terminal state, and each side effect happens once", async () => {
    const scope = { env, signal: AbortSignal.timeout(60_000), waitUntil: () => undefined };
    const enqueued = await mapConcurrent(
      Array.from({ length: JOBS }, (_, i) => i + 1),
      10,
      async (amount) => (await enqueueUnchecked(scope, "test-ledger", { amount })).job,
    );
    const jobs = enqueued.map((r) => {
      if (!r.ok) throw r.error;
      return r.value;
    });
    // Every job delivered a second time, as at-least-once delivery may.
    const duplicates: JobEnvelope[] = jobs.map((job) => ({
      v: 1,
      jobId: job.id,
      name: job.name,
      payload: job.payload,
      attempt: 0,
      requestId: null,
      enqueuedAt: new Date().toISOString(),
    }));
    for (let i = 0; i < duplicates.length; i += 100) {
      await env.JOBS.sendBatch(duplicates.slice(i, i + 100).map((body) => ({ body, contentType: "json" as const })));
    }

    const ids = jobs.map((job) => job.id);
    const until = Date.now() + 90_000;
    let pending = JOBS;
    while (pending > 0 && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const [row] = await sql()`SELECT count(*)::int AS n FROM jobs WHERE id = ANY(${ids}::uuid[]) AND status NOT IN ('succeeded', 'dead')`;
      pending = Number(row?.n);
    }
    expect(pending).toBe(0);

    const rows = await sql()`
      SELECT j.id, j.status, j.attempts, count(l.job_id)::int AS entries, coalesce(sum(l.amount), 0)::int AS total,
             (j.payload->>'amount')::int AS amount
      FROM jobs j LEFT JOIN test_ledger l ON l.job_id = j.id
      WHERE j.id = ANY(${ids}::uuid[])
      GROUP BY j.id`;
    expect(rows).toHaveLength(JOBS);
    for (const row of rows) {
      // One terminal state; a succeeded job wrote its entry exactly once.
      expect(["succeeded", "dead"]).toContain(row.status);
      if (row.status === "succeeded") expect(row).toMatchObject({ entries: 1, total: row.amount });
      else expect(row.entries).toBeLessThanOrEqual(1);
      // Each attempt ran the handler once: duplicate deliveries of a claimed or finished job never did.
      expect(runs.get(String(row.id))).toBe(row.attempts);
    }
    const succeeded = rows.filter((row) => row.status === "succeeded").length;
    expect(succeeded).toBeGreaterThan(JOBS * 0.99);
  }, 120_000);
});
