import { z } from "@hono/zod-openapi";
import { hasInvalidText, INVALID_TEXT_MESSAGE } from "../util/json-hazards";

/** RFC 9457 problem details, as every error response of the API carries them. */
export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: "about:blank" }),
    title: z.string().openapi({ example: "Not Found" }),
    status: z.number().int().openapi({ example: 404 }),
    detail: z.string().optional(),
    instance: z.string().optional().openapi({ example: "/products/0b6f…" }),
    requestId: z.string().optional(),
    errors: z
      .array(z.object({ in: z.string(), field: z.string(), message: z.string() }))
      .optional()
      .openapi({ description: "The failing fields of a validation error (400)." }),
  })
  .openapi("Problem");

/** An error response in the OpenAPI document. */
export const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: ProblemSchema } },
});

/** A JSON response in the OpenAPI document. */
export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

/** A required JSON request body (required, so a wrong Content-Type fails validation). */
export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { "application/json": { schema } },
});

/**
 * Text a client may send: what Postgres can store (no NUL, no unpaired surrogate), refused
 * with a 400 naming the field otherwise. Every free-text field is built from it.
 */
export const text = () => z.string().refine((value) => !hasInvalidText(value), INVALID_TEXT_MESSAGE);

/**
 * `{id}` in a path: a UUID, in its one canonical spelling (lower case) before it becomes a
 * cache key, so `/products/{ID}` and `/products/{id}` are the same entry; anything else is
 * refused with a 400 naming `id`.
 */
export const IdParams = z.object({
  id: z
    .uuid()
    .toLowerCase()
    .openapi({ param: { name: "id", in: "path" }, example: "0b6f3c2e-8a41-4b7e-9c1d-2f5a6e7d8c9b" }),
});

/** The answers of a route that needs an API key. */
export const authErrors = {
  401: problem("No API key, or one that is unknown, expired or revoked"),
  403: problem("The API key lacks the scope this route needs"),
};

/** The errors every JSON write can answer, plus its own 409. */
export const writeErrors = (conflict: string) => ({
  ...authErrors,
  400: problem("Invalid body"),
  409: problem(conflict),
  413: problem("Body too large"),
  415: problem("Body not sent as application/json"),
});

export const MAX_PAGE_SIZE = 100;

/** `?limit=&cursor=` of a keyset-paginated list. */
export const PageQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE_SIZE)
    .default(20)
    .openapi({ param: { name: "limit", in: "query" }, example: 20 }),
  cursor: z.string().min(1).max(200).optional().openapi({ param: { name: "cursor", in: "query" } }),
});

/** A circuit breaker's state as its Durable Object reports it (`GET /admin/breakers`, the console). */
export const BreakerViewSchema = z.object({
  state: z.enum(["CLOSED", "OPEN", "HALF_OPEN", "FORCED_OPEN", "FORCED_CLOSED"]),
  version: z.number().int(),
  openUntil: z.number().nullable(),
  retryAfterMs: z.number(),
  at: z.number(),
});

/** A breaker's totals since it was created (or reset): rates come from the difference between two readings. */
export const BreakerCountersSchema = z.object({
  successes: z.number(),
  failures: z.number(),
  rejections: z.number(),
  releases: z.number(),
  opens: z.number(),
  lastTransitionAt: z.number().nullable(),
});
