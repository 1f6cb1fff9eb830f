import type { RouteHandler } from "@hono/zod-openapi";
import type { Context } from "hono";
import { Cache, type CacheRead } from "../../data/cache";
import { readConfig } from "../../config/config";
import type { AppEnv } from "../../app-env";
import { ProductRepository, type Product } from "../../data/products";
import { reviewsFor, type Enrichment } from "../../http/reviews";
import { mapConcurrent } from "../../resilience";
import { problems } from "../../errors/problem";
import { databaseCall } from "../../dependencies/calls";
import { scopeOf } from "../../middleware/dependencies";
import { keysetExportStream } from "../../data/keyset-export";
import { publishSoon } from "../../events/publish";
import { PRODUCTS_TOPIC } from "../../events/topics";
import type {
  batchProducts,
  createProduct,
  deleteProduct,
  getProduct,
  listProducts,
  updateProduct,
} from "./products.routes";
import { log } from "../../observability/logger";
import { readCursor, withCursor } from "../cursor";
import { pageCacheKey, productCacheKey } from "./products.cache";

type ProductJson = ReturnType<typeof toJson>;

const toJson = (product: Product) => ({
  ...product,
  created_at: product.created_at.toISOString(),
  updated_at: product.updated_at.toISOString(),
});

const noSuchProduct = (id: string) => problems.notFound(`No product with id ${id}.`);

/**
 * Cached product data (see README): a product `PRODUCT_CACHE_TTL_SECONDS` (60), "not found"
 * 10 s, a page a quarter of the product's TTL. Writes drop them sooner. Products and pages
 * keep a stale copy for `CACHE_STALE_GRACE_SECONDS` past their TTL, answered only when the
 * database cannot (`X-Cache: STALE`); every write drops it with the entry.
 */
function cachePolicies(c: Context<AppEnv>) {
  const { PRODUCT_CACHE_TTL_SECONDS: ttlSeconds, CACHE_STALE_GRACE_SECONDS: staleIfErrorSeconds } = readConfig(c.env);
  return {
    product: { ttlSeconds, negativeTtlSeconds: Math.min(10, ttlSeconds), tags: ["products"], staleIfErrorSeconds },
    page: { ttlSeconds: Math.max(1, Math.round(ttlSeconds / 4)), tags: ["products:pages"], staleIfErrorSeconds },
  };
}

/**
 * `X-Cache` on every cached read. A stale answer also says how old it is (`Age`, since it
 * was cached) and lets HTTP caches do the same on errors for the grace it was kept under
 * (`stale-if-error`, RFC 5861; no `must-revalidate`, which would forbid it). A request with
 * a credential still gets `no-store` (see securityHeaders).
 */
function cacheHeaders(c: Context<AppEnv>, read: CacheRead<unknown>): void {
  c.header("X-Cache", read.status);
  if (read.status !== "STALE") return;
  c.header("Age", String(read.ageSeconds ?? 0));
  c.header("Cache-Control", `public, max-age=0, stale-if-error=${readConfig(c.env).CACHE_STALE_GRACE_SECONDS}`);
}

export const list: RouteHandler<typeof listProducts, AppEnv> = async (c) => {
  const { limit, cursor } = c.req.valid("query");
  // Verified before it becomes a cache key: only positions this API handed out are cached.
  const after = cursor === undefined ? undefined : await readCursor(c.env, cursor);
  const cache = new Cache(scopeOf(c), c.get("cachePrefetch"));
  const read = await cache.getOrLoad(pageCacheKey(limit, after), cachePolicies(c).page, async () => {
    const loaded = await c.get("db")((sql) => new ProductRepository(sql).list(limit, after), { idempotent: true });
    return withCursor(c.env, { items: loaded.items.map(toJson), next: loaded.next });
  });
  cacheHeaders(c, read);
  return c.json(read.value ?? { items: [], nextCursor: null }, 200);
};

export const exportAll = (c: Context<AppEnv>): Response => {
  // Bound by the client's connection, not the request's budget: an export of a large table
  // may take longer, and each page has a budget of its own.
  const scope = { ...scopeOf(c), signal: c.req.raw.signal };
  const body = keysetExportStream(databaseCall(scope), (sql, size, after) => new ProductRepository(sql).list(size, after), toJson);
  return c.body(body, 200, { "Content-Type": "application/x-ndjson; charset=utf-8", "Cache-Control": "no-store" });
};

export const get: RouteHandler<typeof getProduct, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  // Both at once: the reviews only need the id, and they are the slower of the two.
  const [read, enrichment] = await Promise.all([
    new Cache(scopeOf(c), c.get("cachePrefetch")).getOrLoad(productCacheKey(id), cachePolicies(c).product, async () => {
      const loaded = await c.get("db")((sql) => new ProductRepository(sql).get(id), { idempotent: true });
      return loaded && toJson(loaded);
    }),
    reviewsFor(scopeOf(c), id),
  ]);
  cacheHeaders(c, read);
  const product = read.value;
  if (!product) throw noSuchProduct(id);
  if (enrichment.degraded) c.header("X-Degraded", "reviews");
  return c.json(withReviews(product, enrichment), 200);
};

/** Reviews for a batch go out at most this many at a time (per request). */
const REVIEW_CONCURRENCY = 4;

export const batch: RouteHandler<typeof batchProducts, AppEnv> = async (c) => {
  const ids = [...new Set(c.req.valid("json").ids)];
  const products = await c.get("db")((sql) => new ProductRepository(sql).getMany(ids), { idempotent: true });
  const byId = new Map(products.map((product) => [product.id, product]));
  const found = ids.filter((id) => byId.has(id));
  const enrichments = await mapConcurrent(found, REVIEW_CONCURRENCY, (id) => reviewsFor(scopeOf(c), id), c.get("signal"));
  const items = found.flatMap((id, i) => {
    const product = byId.get(id);
    const settled = enrichments[i];
    const enrichment = settled?.ok ? settled.value : { reviews: [], degraded: true };
    return product ? [withReviews(toJson(product), enrichment)] : [];
  });
  if (items.some((item) => item.degraded)) c.header("X-Degraded", "reviews");
  return c.json({ items, missing: ids.filter((id) => !byId.has(id)) }, 200);
};

function withReviews(product: ProductJson, { reviews, degraded }: Enrichment) {
  return { ...product, reviews, ...(degraded ? { degraded: ["reviews" as const] } : {}) };
}

/**
 * After a write: drop the product's entry and every cached page, stale copies included, so
 * neither an old version nor a deleted product can come back, even as a stale answer. The
 * write has happened either way; if Redis is down the entries are left to expire (logged):
 * fresh for at most their TTL, and their stale copies could still answer during a later
 * database outage, within the grace.
 */
async function forgetCached(c: Context<AppEnv>, keys: string[]): Promise<void> {
  const cache = new Cache(scopeOf(c));
  try {
    await Promise.all([cache.invalidate(keys), cache.invalidateTags(["products:pages"])]);
  } catch (error) {
    if (c.get("signal").aborted) throw error;
    log("warn", "cache invalidation failed; entries expire by TTL", { requestId: c.get("requestId"), keys });
  }
}

export const create: RouteHandler<typeof createProduct, AppEnv> = async (c) => {
  const fields = c.req.valid("json");
  // Not idempotent: a retry after a lost response could insert twice.
  const product = await c.get("db")((sql) => new ProductRepository(sql).create(fields), { idempotent: false });
  await forgetCached(c, [productCacheKey(product.id)]);
  publishSoon(scopeOf(c), PRODUCTS_TOPIC, { type: "product.created", data: toJson(product) }, "products");
  c.header("Location", `/products/${product.id}`);
  return c.json(toJson(product), 201);
};

export const update: RouteHandler<typeof updateProduct, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const changes = c.req.valid("json");
  // Setting fields to given values: repeating it changes nothing more.
  const product = await c.get("db")((sql) => new ProductRepository(sql).update(id, changes), { idempotent: true });
  if (!product) throw noSuchProduct(id);
  await forgetCached(c, [productCacheKey(id)]);
  publishSoon(scopeOf(c), PRODUCTS_TOPIC, { type: "product.updated", data: toJson(product) }, "products");
  return c.json(toJson(product), 200);
};

export const remove: RouteHandler<typeof deleteProduct, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  // Not retried: a second attempt after a lost response would answer 404 for a success.
  const deleted = await c.get("db")((sql) => new ProductRepository(sql).delete(id), { idempotent: false });
  if (!deleted) throw noSuchProduct(id);
  await forgetCached(c, [productCacheKey(id)]);
  publishSoon(scopeOf(c), PRODUCTS_TOPIC, { type: "product.deleted", data: { id } }, "products");
  return c.body(null, 204);
};
