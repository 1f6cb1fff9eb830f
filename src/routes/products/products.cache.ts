import type { Context } from "hono";
import type { AppEnv } from "../../app-env";
import type { Keyset } from "../../data/keyset-cursor";
import { readCursor } from "../cursor";
import { IdParams, PageQuery } from "../schemas";

/** The cache key of one product (ids are canonical: lower case). */
export const productCacheKey = (id: string): string => `product:${id}`;

/** The cache key of a page: its size and where it starts (a verified keyset, never the raw cursor). */
export const pageCacheKey = (limit: number, after: Keyset | undefined): string =>
  `products:page:${String(limit)}:${after ? `${after.createdAt}|${after.id}` : ""}`;

/**
 * The entry `GET /products/{id}` will read, from the request as it comes (for
 * `cachePrefetch`); undefined when the id is not one (the route answers 400 itself).
 */
export function productPrefetchKey(c: Context<AppEnv>): string | undefined {
  const id = IdParams.shape.id.safeParse(c.req.param("id"));
  return id.success ? productCacheKey(id.data) : undefined;
}

/** The entry `GET /products` will read; undefined for a query or cursor the route will refuse. */
export async function pagePrefetchKey(c: Context<AppEnv>): Promise<string | undefined> {
  const query = PageQuery.safeParse(c.req.query());
  if (!query.success) return undefined;
  const { limit, cursor } = query.data;
  if (cursor === undefined) return pageCacheKey(limit, undefined);
  const after = await readCursor(c.env, cursor).catch(() => undefined);
  return after ? pageCacheKey(limit, after) : undefined;
}
