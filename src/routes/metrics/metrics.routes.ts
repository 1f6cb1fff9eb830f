import { createRoute, z } from "@hono/zod-openapi";
import { security as access } from "../../auth/access";
import { authErrors, json } from "../schemas";

const security = access.requires("admin");

export const getMetrics = createRoute({
  method: "get",
  path: "/metrics",
  tags: ["observability"],
  summary: "Fleet-wide metrics in Prometheus text format, or JSON with p50/p95/p99 (?format=json) (admin)",
  security,
  request: { query: z.object({ format: z.enum(["prometheus", "json"]).default("prometheus").openapi({ param: { name: "format", in: "query" } }) }) },
  responses: {
    200: {
      description:
        "Per route: requests, errors, latency histogram; per dependency: calls, errors, timeouts, latency; slow queries; per job: succeeded, failed, dead, duplicates, duration, and in JSON perMinute and the last 15 minutes (recent)",
      content: { "text/plain": { schema: z.string() }, "application/json": { schema: z.unknown() } },
    },
    ...authErrors,
  },
});

const SlowQuerySchema = z.object({
  statement: z.string(),
  durationMs: z.number(),
  at: z.iso.datetime(),
  requestId: z.string().nullable(),
});

export const listSlowQueries = createRoute({
  method: "get",
  path: "/admin/slow-queries",
  tags: ["observability"],
  summary: "The latest queries slower than SLOW_QUERY_MS, newest first (admin)",
  security,
  responses: {
    200: json(z.object({ count: z.number().int(), latest: z.array(SlowQuerySchema) }).openapi("SlowQueries"), "How many, and the latest 100"),
    ...authErrors,
  },
});
