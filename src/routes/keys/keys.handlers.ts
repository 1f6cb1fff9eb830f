import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env";
import { generateApiKey } from "../../auth/api-key";
import { dropVerification } from "../../auth/key-verifier";
import { ApiKeyRepository, type ApiKey } from "../../data/api-keys";
import { scopeOf } from "../../middleware/dependencies";
import { problems } from "../../errors/problem";
import { readCursor, withCursor } from "../cursor";
import type { createKey, getKey, listKeys, revokeKey } from "./keys.routes";

const DAY_MS = 86_400_000;

/** A key as operators see it: never its secret or its hash. */
const keyJson = (key: ApiKey) => ({
  ...key,
  created_at: key.created_at.toISOString(),
  expires_at: key.expires_at?.toISOString() ?? null,
  revoked_at: key.revoked_at?.toISOString() ?? null,
  last_used_at: key.last_used_at?.toISOString() ?? null,
});

const noSuchKey = (id: string) => problems.notFound(`No API key with id ${id}.`);

export const create: RouteHandler<typeof createKey, AppEnv> = async (c) => {
  const { name, scopes, expiresInDays } = c.req.valid("json");
  const { key, prefix, hash } = await generateApiKey();
  const expiresAt = expiresInDays === undefined ? null : new Date(Date.now() + expiresInDays * DAY_MS);
  // Not retried: a lost answer would leave a second key nobody ever saw.
  const created = await c.get("db")((sql) => new ApiKeyRepository(sql).create({ name, prefix, hash, scopes, expiresAt }), { idempotent: false });
  c.header("Location", `/admin/keys/${created.id}`);
  return c.json({ ...keyJson(created), key }, 201);
};

export const list: RouteHandler<typeof listKeys, AppEnv> = async (c) => {
  const { limit, cursor } = c.req.valid("query");
  const after = cursor === undefined ? undefined : await readCursor(c.env, cursor);
  const page = await c.get("db")((sql) => new ApiKeyRepository(sql).list(limit, after), { idempotent: true });
  return c.json(await withCursor(c.env, { items: page.items.map(keyJson), next: page.next }), 200);
};

export const get: RouteHandler<typeof getKey, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const key = await c.get("db")((sql) => new ApiKeyRepository(sql).get(id), { idempotent: true });
  if (!key) throw noSuchKey(id);
  return c.json(keyJson(key), 200);
};

/**
 * Revokes in the database (the authority), then drops the cached verification, which every
 * request with the key reads: the key is refused from the next request on, in every
 * isolate. If the cache cannot be reached the answer is 503 (the repeat is harmless); an
 * entry left behind would still expire within API_KEY_CACHE_SECONDS.
 */
export const revoke: RouteHandler<typeof revokeKey, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const revoked = await c.get("db")((sql) => new ApiKeyRepository(sql).revoke(id), { idempotent: true });
  if (!revoked) throw noSuchKey(id);
  await dropVerification(scopeOf(c), revoked.hash);
  return c.json(keyJson(revoked.key), 200);
};
