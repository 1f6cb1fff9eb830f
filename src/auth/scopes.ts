import { z } from "zod";

/**
 * What an API key may do. Reads of the product catalogue need none; everything else names
 * the one scope it needs (see each route's `security` in /openapi.json).
 *
 * - `products:write` — create, change and delete products
 * - `users:read` / `users:write` — users are personal data: reading them is a scope too
 * - `jobs:read` / `jobs:write` — follow jobs / enqueue jobs and imports (a job can call out)
 * - `events:publish` / `events:subscribe` — topics are private unless declared public
 * - `admin` — operators: breakers, cache, metrics, slow queries, API keys
 */
export const SCOPES = [
  "products:write",
  "users:read",
  "users:write",
  "jobs:read",
  "jobs:write",
  "events:publish",
  "events:subscribe",
  "admin",
] as const;

export type Scope = (typeof SCOPES)[number];

export const ScopeSchema = z.enum(SCOPES);
