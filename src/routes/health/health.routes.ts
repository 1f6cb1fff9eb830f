import { createRoute, z } from "@hono/zod-openapi";
import { security } from "../../auth/access";
import { budget } from "../../middleware/deadline";
import { json, problem } from "../schemas";

const CheckSchema = z.object({
  status: z.enum(["up", "down"]),
  latencyMs: z.number(),
  error: z.string().optional().openapi({ description: "Why the dependency counts as down." }),
});

const BreakerStateSchema = z.object({
  state: z.string().openapi({ example: "CLOSED" }),
  retryAfterMs: z.number(),
});

export const ChecksSchema = z.object({
  database: CheckSchema,
  redis: CheckSchema,
  queue: CheckSchema,
  breakers: z.record(z.string(), BreakerStateSchema).openapi({ description: "Each dependency's circuit, as the breakers' Durable Objects hold it" }),
});

export const JobCountsSchema = z
  .discriminatedUnion("status", [
    z.object({
      status: z.literal("ok"),
      running: z.number().int().openapi({ description: "Jobs a consumer is running now" }),
      queued: z.number().int().openapi({ description: "Jobs waiting for a consumer" }),
    }),
    z.object({
      status: z.literal("unavailable"),
      error: z.string().openapi({ description: "Why they could not be counted (the database is down or slow)" }),
    }),
  ])
  .openapi("JobCounts", { description: "Informational: never makes readiness fail" });

export const ReadySchema = z.object({ status: z.literal("ready"), checks: ChecksSchema, jobs: JobCountsSchema }).openapi("Readiness");

export const liveness = createRoute({
  method: "get",
  path: "/health",
  tags: ["health"],
  security: security.public(),
  ...budget("read"),
  summary: "Liveness: the Worker runs (no dependency is called)",
  responses: { 200: json(z.object({ status: z.literal("ok") }).openapi("Liveness"), "The Worker answers") },
});

export const readiness = createRoute({
  method: "get",
  path: "/health/ready",
  tags: ["health"],
  security: security.public(),
  ...budget("read"),
  summary: "Readiness: the database, Redis, the queue binding and the circuit breakers, each probed with a deadline; and the job counts",
  responses: {
    200: json(ReadySchema, "Every dependency is up and no circuit is open; `jobs` counts the running and queued jobs"),
    503: problem("Something is down; `checks` says what (`jobs` as on a 200, `unavailable` when the database is down)"),
  },
});
