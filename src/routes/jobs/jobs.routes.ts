import { createRoute, z } from "@hono/zod-openapi";
import { security } from "../../auth/access";
import { JOB_STATUSES } from "../../data/jobs";
import { MAX_QUEUE_DELAY_SECONDS } from "../../jobs/define-job";
import { JOB_NAMES } from "../../jobs/registry";
import { authErrors, IdParams, json, jsonBody, PageQuery, problem } from "../schemas";

export const JobSchema = z
  .object({
    id: z.uuid(),
    name: z.string().openapi({ example: "recompute-product-stats" }),
    status: z.enum(JOB_STATUSES),
    payload: z.unknown(),
    attempts: z.number().int(),
    max_attempts: z.number().int(),
    last_error: z.string().nullable(),
    result: z.unknown().openapi({ description: "What the job returned, once it succeeded." }),
    progress: z.unknown().openapi({ description: "Work checkpointed so far (imports), or null." }),
    idempotency_key: z.string().nullable(),
    request_id: z.string().nullable().openapi({ description: "The request that enqueued the job." }),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
    started_at: z.iso.datetime().nullable(),
    finished_at: z.iso.datetime().nullable(),
  })
  .openapi("Job");

const NewJobSchema = z
  .strictObject({
    name: z.string().min(1).max(100).openapi({ description: `One of: ${JOB_NAMES.join(", ")}.`, example: "recompute-product-stats" }),
    payload: z.record(z.string(), z.unknown()).default({}).openapi({ example: {} }),
    delaySeconds: z.number().int().min(0).max(MAX_QUEUE_DELAY_SECONDS).optional(),
  })
  .openapi("NewJob");

const IdempotencyHeader = z.object({
  "idempotency-key": z
    .string()
    .min(1)
    .max(255)
    .optional()
    .openapi({ param: { name: "idempotency-key", in: "header" }, description: "Same key, same job: never two." }),
});

const JobPageSchema = z.object({ items: z.array(JobSchema), nextCursor: z.string().nullable() }).openapi("JobPage");

const tags = ["jobs"];
const reads = security.requires("jobs:read");
const writes = security.requires("jobs:write");
const accepted = json(JobSchema, "The job, queued; `Location` is where to follow it");

export const createJob = createRoute({
  method: "post",
  path: "/jobs",
  tags,
  summary: "Enqueue a job",
  security: writes,
  request: { body: jsonBody(NewJobSchema), headers: IdempotencyHeader },
  responses: {
    202: { ...accepted, headers: z.object({ Location: z.string() }) },
    400: problem("Unknown job name, or a payload its schema refuses"),
    ...authErrors,
    413: problem("Body, or the job's message, too large"),
    422: problem("Idempotency-Key already used for another job"),
    503: problem("The queue or the database is unavailable"),
  },
});

export const getJob = createRoute({
  method: "get",
  path: "/jobs/{id}",
  tags,
  summary: "Get a job's status, attempts, result or last error",
  security: reads,
  request: { params: IdParams },
  responses: { 200: json(JobSchema, "The job"), 400: problem("Invalid id"), ...authErrors, 404: problem("No such job") },
});

export const listJobs = createRoute({
  method: "get",
  path: "/jobs",
  tags,
  summary: "List jobs, newest first, optionally of one status",
  security: reads,
  request: {
    query: PageQuery.extend({
      status: z.enum(JOB_STATUSES).optional().openapi({ param: { name: "status", in: "query" } }),
    }),
  },
  responses: { 200: json(JobPageSchema, "A page of jobs"), 400: problem("Invalid query"), ...authErrors },
});

export const retryJob = createRoute({
  method: "post",
  path: "/jobs/{id}/retry",
  tags,
  summary: "Replay a dead job with fresh attempts",
  security: writes,
  request: { params: IdParams },
  responses: {
    202: accepted,
    400: problem("Invalid id"),
    ...authErrors,
    404: problem("No such job"),
    409: problem("The job is not dead, or cannot be replayed"),
    503: problem("The queue or the database is unavailable"),
  },
});
