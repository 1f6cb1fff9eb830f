import { createRoute, z } from "@hono/zod-openapi";
import { json, problem } from "../schemas";

const CheckSchema = z.object({
  status: z.enum(["up", "down"]),
  latencyMs: z.number(),
  error: z.string().optional().openapi({ description: "Why the dependency counts as down." }),
});

export const ChecksSchema = z.object({ database: CheckSchema, redis: CheckSchema });

export const HealthSchema = z
  .object({ status: z.literal("ok"), checks: ChecksSchema })
  .openapi("Health");

export const health = createRoute({
  method: "get",
  path: "/health",
  tags: ["health"],
  summary: "Health of the API and of each dependency, probed with a deadline",
  responses: {
    200: json(HealthSchema, "Every dependency is up"),
    503: problem("A dependency is down; `checks` says which"),
  },
});
