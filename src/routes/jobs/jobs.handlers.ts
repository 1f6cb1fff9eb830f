import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env";
import { JobRepository, type Job } from "../../data/jobs";
import { scopeOf } from "../../middleware/dependencies";
import { EnqueueError, enqueueUnchecked, sendEnvelope } from "../../jobs/enqueue";
import { findJob } from "../../jobs/registry";
import { Problem, problems } from "../../errors/problem";
import { idempotencyScope } from "../../middleware/identity";
import { readCursor, withCursor } from "../cursor";
import type { createJob, getJob, listJobs, retryJob } from "./jobs.routes";

/** A job as the API shows it: timestamps as ISO strings, everything else as stored. */
export const jobJson = (job: Job) => ({
  ...job,
  created_at: job.created_at.toISOString(),
  updated_at: job.updated_at.toISOString(),
  started_at: job.started_at?.toISOString() ?? null,
  finished_at: job.finished_at?.toISOString() ?? null,
});

const noSuchJob = (id: string) => problems.notFound(`No job with id ${id}.`);

export const create: RouteHandler<typeof createJob, AppEnv> = async (c) => {
  const { name, payload, delaySeconds } = c.req.valid("json");
  const idempotencyKey = c.req.valid("header")["idempotency-key"];
  const { job, created } = await enqueueUnchecked(scopeOf(c), name, payload, {
    delaySeconds,
    idempotencyKey,
    idempotencyScope: idempotencyScope(c),
    requestId: c.get("requestId"),
  }).catch(enqueueProblem);
  c.header("Location", `/jobs/${job.id}`);
  if (!created) c.header("Idempotent-Replayed", "true");
  return c.json(jobJson(job), 202);
};

export const get: RouteHandler<typeof getJob, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const job = await c.get("db")((sql) => new JobRepository(sql).get(id), { idempotent: true });
  if (!job) throw noSuchJob(id);
  return c.json(jobJson(job), 200);
};

export const list: RouteHandler<typeof listJobs, AppEnv> = async (c) => {
  const { status, limit, cursor } = c.req.valid("query");
  const after = cursor === undefined ? undefined : await readCursor(c.env, cursor);
  const page = await c.get("db")((sql) => new JobRepository(sql).list({ status, limit, after }), { idempotent: true });
  return c.json(await withCursor(c.env, { items: page.items.map(jobJson), next: page.next }), 200);
};

export const retry: RouteHandler<typeof retryJob, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const existing = await c.get("db")((sql) => new JobRepository(sql).get(id), { idempotent: true });
  if (!existing) throw noSuchJob(id);
  if (!findJob(existing.name)) throw problems.conflict(`Job ${id} (${existing.name}) is not a job this Worker can run.`);
  const job = await c.get("db")((sql) => new JobRepository(sql).requeueDead(id), { idempotent: false });
  if (!job) throw problems.conflict(`Job ${id} is ${existing.status}; only a dead job can be replayed.`);
  try {
    await sendEnvelope(scopeOf(c), job);
  } catch (error) {
    await c.get("db")((sql) => new JobRepository(sql).returnToDead(id, "replay could not be queued"), { idempotent: true });
    throw error;
  }
  c.header("Location", `/jobs/${job.id}`);
  return c.json(jobJson(job), 202);
};

/** The problem each refusal of `enqueue` is for the client. */
export function enqueueProblem(error: unknown): never {
  if (!(error instanceof EnqueueError)) throw error;
  switch (error.reason) {
    case "unknown-job":
      throw problems.validation([{ in: "body", field: "name", message: error.message }]);
    case "invalid-payload":
      throw problems.validation(error.issues.map((issue) => ({ in: "body", ...issue })));
    case "invalid-delay":
      throw problems.validation([{ in: "body", field: "delaySeconds", message: error.message }]);
    case "invalid-key":
      throw problems.validation([{ in: "header", field: "Idempotency-Key", message: error.message }]);
    case "too-large":
      throw new Problem({ title: "Content Too Large", status: 413, detail: error.message });
    case "key-reused":
      throw new Problem({ title: "Unprocessable Content", status: 422, detail: error.message });
  }
}
