import { createRoute, z } from "@hono/zod-openapi";
import { adminAuth } from "../../middleware/admin-auth";
import { json, jsonBody, problem } from "../schemas";

const InvalidateSchema = z
  .union([
    z.strictObject({ tag: z.string().min(1).max(100) }),
    z.strictObject({ pattern: z.string().min(1).max(200).openapi({ example: "product:*" }) }),
  ])
  .openapi("CacheInvalidation");

export const invalidateCache = createRoute({
  method: "post",
  path: "/cache/invalidate",
  tags: ["admin"],
  security: [{ adminToken: [] }],
  middleware: [adminAuth()] as const,
  summary: "Drop cached entries by tag, or by key pattern (walked with SCAN, never KEYS)",
  request: { body: jsonBody(InvalidateSchema) },
  responses: {
    200: json(z.object({ dropped: z.number().int() }), "How many entries were dropped"),
    400: problem("Neither a tag nor a pattern"),
    401: problem("No or wrong admin token"),
    503: problem("Redis is unavailable"),
  },
});

export const getCacheStats = createRoute({
  method: "get",
  path: "/cache/stats",
  tags: ["admin"],
  security: [{ adminToken: [] }],
  middleware: [adminAuth()] as const,
  summary: "Cache hits, misses and bypasses (fleet-wide, a few seconds late), entries, Redis memory",
  responses: {
    200: json(
      z
        .object({
          hits: z.number().int(),
          misses: z.number().int(),
          bypasses: z.number().int(),
          entries: z.number().int(),
          redisUsedMemoryBytes: z.number().int().nullable(),
        })
        .openapi("CacheStats"),
      "The counters",
    ),
    401: problem("No or wrong admin token"),
    503: problem("Redis is unavailable"),
  },
});
