import { createRoute, z } from "@hono/zod-openapi";
import { security } from "../../auth/access";
import { SCOPES, ScopeSchema } from "../../auth/scopes";
import { authErrors, IdParams, json, jsonBody, PageQuery, problem, text } from "../schemas";

export const ApiKeySchema = z
  .object({
    id: z.uuid(),
    name: z.string().openapi({ example: "billing-service" }),
    prefix: z.string().openapi({ description: "The visible start of the key, to recognise it", example: "ek_4k9x2m7q" }),
    scopes: z.array(z.string()).openapi({ example: ["products:write"] }),
    created_at: z.iso.datetime(),
    expires_at: z.iso.datetime().nullable(),
    revoked_at: z.iso.datetime().nullable(),
    last_used_at: z.iso.datetime().nullable().openapi({ description: "Updated in batches: up to a minute late" }),
  })
  .openapi("ApiKey");

const NewApiKeySchema = z
  .strictObject({
    name: text().trim().min(1).max(100),
    scopes: z
      .array(ScopeSchema)
      .min(1)
      .max(SCOPES.length)
      .refine((scopes) => new Set(scopes).size === scopes.length, "list each scope once"),
    expiresInDays: z.number().int().min(1).max(3_650).optional().openapi({ description: "Omitted: the key does not expire" }),
  })
  .openapi("NewApiKey");

const tags = ["admin"];
const admin = security.requires("admin");

export const createKey = createRoute({
  method: "post",
  path: "/admin/keys",
  tags,
  security: admin,
  summary: "Create an API key; the secret is in this answer only, never again",
  request: { body: jsonBody(NewApiKeySchema) },
  responses: {
    201: json(ApiKeySchema.extend({ key: z.string().openapi({ description: "The secret: store it now" }) }).openapi("CreatedApiKey"), "The key"),
    400: problem("Invalid body"),
    ...authErrors,
  },
});

export const listKeys = createRoute({
  method: "get",
  path: "/admin/keys",
  tags,
  security: admin,
  summary: "List API keys, newest first (never their secrets)",
  request: { query: PageQuery },
  responses: {
    200: json(z.object({ items: z.array(ApiKeySchema), nextCursor: z.string().nullable() }).openapi("ApiKeyPage"), "A page of keys"),
    400: problem("Invalid limit or cursor"),
    ...authErrors,
  },
});

export const getKey = createRoute({
  method: "get",
  path: "/admin/keys/{id}",
  tags,
  security: admin,
  summary: "Get an API key (never its secret)",
  request: { params: IdParams },
  responses: { 200: json(ApiKeySchema, "The key"), 400: problem("Invalid id"), ...authErrors, 404: problem("No such key") },
});

export const revokeKey = createRoute({
  method: "post",
  path: "/admin/keys/{id}/revoke",
  tags,
  security: admin,
  summary: "Revoke an API key: refused from the next request on (repeatable)",
  request: { params: IdParams },
  responses: {
    200: json(ApiKeySchema, "The key, revoked"),
    400: problem("Invalid id"),
    ...authErrors,
    404: problem("No such key"),
    503: problem("Revoked in the database, but the verification cache could not be cleared yet: repeat the call"),
  },
});
