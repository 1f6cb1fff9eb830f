import { afterEach, describe, expect, inject, it } from "vitest";
import type { Bindings } from "../../src/env";
import { ANONYMOUS, api, apiWithEnv, createProduct, expectProblem, requestsTo, sendJson, type ProductJson } from "./helpers";

// The database is really stopped through the stack's control endpoint; entries get a TTL
// of 1 s (pages too) so a test can wait past it.
const control = (path: string) => fetch(`${inject("controlUrl")}${path}`, { method: "POST", body: "{}" });
const ADMIN = { Authorization: "Bearer test-admin-token" };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const SHORT_TTL: Partial<Bindings> = { PRODUCT_CACHE_TTL_SECONDS: "1" };
/** An anonymous read (public routes): with a credential every answer is `no-store`. */
const read = (path: string, overrides: Partial<Bindings> = {}) => apiWithEnv({ ...SHORT_TTL, ...overrides }, path, {}, ANONYMOUS);
const staleCount = async () => (await (await api("/cache/stats", { headers: ADMIN })).json<{ stale: number }>()).stale;

afterEach(async () => {
  await control("/neon/reset");
  await api("/admin/breakers/neon/reset", { method: "POST", headers: ADMIN });
});

describe("stale-if-error for cached product reads", () => {
  it("answers a product from its stale copy, past its TTL, while Postgres is stopped: STALE, Age, stale-if-error, counted", async () => {
    const product = await createProduct();
    expect((await read(`/products/${product.id}`)).headers.get("X-Cache")).toBe("MISS");
    await sleep(1_100);
    const before = await staleCount();
    await control("/neon/stop");
    const response = await read(`/products/${product.id}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("X-Cache")).toBe("STALE");
    expect(Number(response.headers.get("Age"))).toBeGreaterThanOrEqual(1);
    expect(response.headers.get("Cache-Control")).toBe("public, max-age=0, stale-if-error=86400");
    expect(await response.json()).toMatchObject({ id: product.id, name: product.name, price_cents: product.price_cents });
    expect((await staleCount()) - before).toBeGreaterThanOrEqual(1);
  });

  it("serves a stale copy only on error: once Postgres is back the expired entry is a miss, 2 Upstash requests and 1 query", async () => {
    const product = await createProduct();
    await read(`/products/${product.id}`);
    await sleep(1_100);
    await control("/neon/stop");
    expect((await read(`/products/${product.id}`)).headers.get("X-Cache")).toBe("STALE");
    await control("/neon/start");
    await api("/cache/stats", { headers: ADMIN }); // sends cache statistics now, so none fall in the counts below
    const [redis, neon] = [await requestsTo("redis"), await requestsTo("neon")];
    const response = await read(`/products/${product.id}`);
    expect(response.headers.get("X-Cache")).toBe("MISS");
    expect(response.headers.get("Cache-Control")).toBe("public, max-age=0, must-revalidate");
    expect([(await requestsTo("redis")) - redis, (await requestsTo("neon")) - neon]).toEqual([2, 1]);
  });

  it("still costs one Upstash request and no query on a fresh hit", async () => {
    const product = await createProduct();
    const get = () => apiWithEnv({}, `/products/${product.id}`, {}, ANONYMOUS);
    await get();
    await api("/cache/stats", { headers: ADMIN });
    const [redis, neon] = [await requestsTo("redis"), await requestsTo("neon")];
    expect((await get()).headers.get("X-Cache")).toBe("HIT");
    expect([(await requestsTo("redis")) - redis, (await requestsTo("neon")) - neon]).toEqual([1, 0]);
  });

  it("answers a cached page of GET /products from its stale copy while Postgres is stopped", async () => {
    const created = await createProduct(); // a write: every cached page is dropped
    const fresh = await read("/products?limit=7");
    expect(fresh.headers.get("X-Cache")).toBe("MISS");
    const page = await fresh.json<{ items: ProductJson[]; nextCursor: string | null }>();
    expect(page.items[0]?.id).toBe(created.id);
    await sleep(1_100);
    await control("/neon/stop");
    const stale = await read("/products?limit=7");
    expect(stale.status).toBe(200);
    expect(stale.headers.get("X-Cache")).toBe("STALE");
    expect(stale.headers.get("Cache-Control")).toContain("stale-if-error=");
    expect(await stale.json()).toEqual(page);
  });

  it("answers from the stale copy without a query while the database's circuit is open", async () => {
    const product = await createProduct();
    await read(`/products/${product.id}`);
    await sleep(1_100);
    expect((await api("/admin/breakers/neon/open", { method: "POST", headers: ADMIN })).status).toBe(200);
    const neon = await requestsTo("neon");
    const response = await read(`/products/${product.id}`);
    expect([response.status, response.headers.get("X-Cache")]).toEqual([200, "STALE"]);
    expect(await requestsTo("neon")).toBe(neon);
  });

  it("keeps the stale copy only for the grace period: past it, an outage is a 503 problem", async () => {
    const product = await createProduct();
    const graceOfOne = { CACHE_STALE_GRACE_SECONDS: "1" };
    await read(`/products/${product.id}`, graceOfOne);
    await sleep(1_100);
    await control("/neon/stop");
    const within = await read(`/products/${product.id}`, graceOfOne);
    expect([within.status, within.headers.get("X-Cache")]).toEqual([200, "STALE"]);
    expect(within.headers.get("Cache-Control")).toBe("public, max-age=0, stale-if-error=1");
    await sleep(1_100); // TTL and grace are over: Redis has dropped the entry
    const problem = await expectProblem(await read(`/products/${product.id}`, graceOfOne), 503);
    expect(problem.dependency).toBe("neon");
  });

  it("keeps no stale copy when the grace is 0", async () => {
    const product = await createProduct();
    const noGrace = { CACHE_STALE_GRACE_SECONDS: "0" };
    await read(`/products/${product.id}`, noGrace);
    await sleep(1_100);
    await control("/neon/stop");
    await expectProblem(await read(`/products/${product.id}`, noGrace), 503);
  });

  it("never brings a deleted product back: the delete drops the stale copy too", async () => {
    const product = await createProduct();
    expect((await read(`/products/${product.id}`)).headers.get("X-Cache")).toBe("MISS");
    expect((await api(`/products/${product.id}`, { method: "DELETE" })).status).toBe(204);
    await sleep(1_100);
    await control("/neon/stop");
    const response = await read(`/products/${product.id}`);
    expect(response.headers.get("X-Cache")).not.toBe("STALE");
    await expectProblem(response, 503);
  });

  it("never serves the version before a write: an update drops the stale copy too", async () => {
    const product = await createProduct({ stock: 1 });
    await read(`/products/${product.id}`);
    expect((await sendJson("PATCH", `/products/${product.id}`, { stock: 42 })).status).toBe(200);
    await sleep(1_100);
    await control("/neon/stop");
    await expectProblem(await read(`/products/${product.id}`), 503);
  });

  it("does not keep 'not found' as a stale copy: an unknown id during an outage is a 503, not a stale 404", async () => {
    const id = crypto.randomUUID();
    expect((await read(`/products/${id}`)).status).toBe(404);
    await sleep(1_100);
    await control("/neon/stop");
    await expectProblem(await read(`/products/${id}`), 503);
  });
});
