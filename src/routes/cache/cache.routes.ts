import { createRoute, z } from "@hono/zod-openapi";
import { security } from "../../auth/access";
import { globPatternProblem, MAX_PATTERN_WILDCARDS } from "../../data/glob-pattern";
import { authErrors, json, jsonBody, problem, text } from "../schemas";

const InvalidateSchema = z
  .union([
    z.strictObject({ tag: text().min(1).max(100) }),
    z.strictObject({
      pattern: text()
        .min(1)
        .max(100)
        .superRefine((pattern, ctx) => {
          const problem = globPatternProblem(pattern);
          if (problem) ctx.addIssue({ code: "custom", message: problem });
        })
        .openapi({ example: "product:*", description: `A Redis glob: at most 100 characters and ${String(MAX_PATTERN_WILDCARDS)} '*'.` }),
    }),
  ])
  .openapi("CacheInvalidation");

export const invalidateCache = createRoute({
  method: "post",
  path: "/cache/invalidate",
  tags: ["admin"],
  security: security.requires("admin"),
  summary: "Drop cached entries by tag, or by key pattern (walked with SCAN, never KEYS)",
  request: { body: jsonBody(InvalidateSchema) },
  responses: {
    200: json(z.object({ dropped: z.number().int() }), "How many entries were dropped"),
    400: problem("Neither a tag nor a pattern"),
    ...authErrors,
    503: problem("Redis is unavailable"),
  },
});

export const getCacheStats = createRoute({
  method: "get",
  path: "/cache/stats",
  tags: ["admin"],
  security: security.requires("admin"),
  summary: "Cache hits, misses, bypasses and stale answers (fleet-wide, a few seconds late), entries, Redis memory",
  responses: {
    200: json(
      z
        .object({
          hits: z.number().int(),
          misses: z.number().int(),
          bypasses: z.number().int(),
          stale: z.number().int().openapi({ description: "Reads answered from a stale copy because the database could not answer" }),
          entries: z.number().int(),
          redisUsedMemoryBytes: z.number().int().nullable(),
        })
        .openapi("CacheStats"),
      "The counters",
    ),
    ...authErrors,
    503: problem("Redis is unavailable"),
  },
});
