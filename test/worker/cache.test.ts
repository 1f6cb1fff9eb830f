import { describe, expect, inject, it } from "vitest";
import { afterEach } from "vitest";
import { ANONYMOUS, api, apiWithEnv, createProduct, REDIS_DOWN, requestsTo, sendJson, TEST_KEY } from "./helpers";

const control = (path: string, body: unknown = {}) =>
  fetch(`${inject("controlUrl")}${path}`, { method: "POST", body: JSON.stringify(body) });
const redisRequests = () => requestsTo("redis");
const neonRequests = () => requestsTo("neon");

afterEach(async () => {
  // A stopped Redis counts against its breaker: leave both as the next test expects them.
  await control("/redis/reset");
  await api("/admin/breakers/redis/reset", { method: "POST", headers: { Authorization: "Bearer test-admin-token" } });
});

describe("cache-aside for product reads", () => {
  it("misses once, then hits", async () => {
    const product = await createProduct();
    expect((await api(`/products/${product.id}`)).headers.get("X-Cache")).toBe("MISS");
    expect((await api(`/products/${product.id}`)).headers.get("X-Cache")).toBe("HIT");
  });

  it("costs one Upstash request on a hit, and on a miss two and one query (3 subrequests)", async () => {
    // The read-or-lock rides along the rate limiter's script; a miss adds the write.
    const product = await createProduct();
    await api("/cache/stats"); // sends cache statistics now, so none fall in the counts below
    const [redisBeforeMiss, neonBeforeMiss] = [await redisRequests(), await neonRequests()];
    expect((await api(`/products/${product.id}`)).headers.get("X-Cache")).toBe("MISS");
    const [redisBeforeHit, neonBeforeHit] = [await redisRequests(), await neonRequests()];
    expect((await api(`/products/${product.id}`)).headers.get("X-Cache")).toBe("HIT");
    const [redisAfter, neonAfter] = [await redisRequests(), await neonRequests()];
    expect([redisBeforeHit - redisBeforeMiss, neonBeforeHit - neonBeforeMiss]).toEqual([2, 1]);
    expect([redisAfter - redisBeforeHit, neonAfter - neonBeforeHit]).toEqual([1, 0]);
  });

  it("costs one Upstash request for a cached page too, anonymous or with a key", async () => {
    await api("/products?limit=3");
    await api("/products?limit=3", {}, ANONYMOUS);
    await api("/cache/stats");
    for (const caller of [TEST_KEY, ANONYMOUS]) {
      const before = await redisRequests();
      const response = await api("/products?limit=3", {}, caller);
      expect(response.headers.get("X-Cache")).toBe("HIT");
      expect((await redisRequests()) - before).toBe(1);
    }
  });

  it("expires entries after their TTL", async () => {
    const product = await createProduct();
    const get = () => apiWithEnv({ PRODUCT_CACHE_TTL_SECONDS: "1" }, `/products/${product.id}`);
    expect((await get()).headers.get("X-Cache")).toBe("MISS");
    expect((await get()).headers.get("X-Cache")).toBe("HIT");
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await get()).headers.get("X-Cache")).toBe("MISS");
  });

  it("forgets a product when it changes, so nothing stale is served", async () => {
    const product = await createProduct({ stock: 1 });
    await api(`/products/${product.id}`);
    await sendJson("PATCH", `/products/${product.id}`, { stock: 42 });
    const response = await api(`/products/${product.id}`);
    expect(response.headers.get("X-Cache")).toBe("MISS");
    expect(await response.json()).toMatchObject({ stock: 42 });
  });

  it("caches 'not found' briefly", async () => {
    const id = crypto.randomUUID();
    const first = await api(`/products/${id}`);
    expect([first.status, first.headers.get("X-Cache")]).toEqual([404, "MISS"]);
    const second = await api(`/products/${id}`);
    expect([second.status, second.headers.get("X-Cache")]).toEqual([404, "HIT"]);
  });

  it("drops cached pages when a product is created", async () => {
    await api("/products?limit=5");
    expect((await api("/products?limit=5")).headers.get("X-Cache")).toBe("HIT");
    const created = await createProduct();
    const page = await api("/products?limit=5");
    expect(page.headers.get("X-Cache")).toBe("MISS");
    expect((await page.json<{ items: { id: string }[] }>()).items[0]?.id).toBe(created.id);
  });

  it("bypasses the cache when Redis is down, and still answers", async () => {
    const product = await createProduct();
    const response = await apiWithEnv(REDIS_DOWN, `/products/${product.id}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("X-Cache")).toBe("BYPASS");
  });

  it("answers from Postgres while the Redis server is really stopped, and caches again once it is back", async () => {
    const product = await createProduct();
    await control("/redis/stop");
    try {
      const response = await api(`/products/${product.id}`);
      expect(response.status).toBe(200);
      expect(response.headers.get("X-Cache")).toBe("BYPASS");
    } finally {
      await control("/redis/start");
    }
    await api(`/products/${product.id}`);
    expect((await api(`/products/${product.id}`)).headers.get("X-Cache")).toBe("HIT");
  });

  it("loads once for 50 concurrent misses (stampede protection)", async () => {
    const product = await createProduct();
    await control("/neon/faults", { delayMs: 300 });
    try {
      const before = await neonRequests();
      const responses = await Promise.all(Array.from({ length: 50 }, () => api(`/products/${product.id}`)));
      expect(responses.every((r) => r.status === 200)).toBe(true);
      expect((await neonRequests()) - before).toBe(1);
      expect(responses.filter((r) => r.headers.get("X-Cache") === "HIT")).toHaveLength(49);
    } finally {
      await control("/neon/reset");
    }
  });
});

describe("POST /cache/invalidate", () => {
  const invalidate = (body: unknown, token = "test-admin-token") =>
    api("/cache/invalidate", {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });

  it("drops entries by pattern (SCAN) and by tag", async () => {
    const product = await createProduct();
    await api(`/products/${product.id}`);
    const byPattern = await invalidate({ pattern: `product:${product.id}` });
    expect(await byPattern.json()).toEqual({ dropped: 1 });
    expect((await api(`/products/${product.id}`)).headers.get("X-Cache")).toBe("MISS");

    await api("/products?limit=3");
    const byTag = await (await invalidate({ tag: "products:pages" })).json<{ dropped: number }>();
    expect(byTag.dropped).toBeGreaterThanOrEqual(1);
    expect((await api("/products?limit=3")).headers.get("X-Cache")).toBe("MISS");
  });

  it("needs the admin token and a tag or a pattern", async () => {
    expect((await invalidate({ tag: "x" }, "wrong")).status).toBe(401);
    expect((await invalidate({})).status).toBe(400);
  });
});

describe("GET /cache/stats", () => {
  it("counts hits and misses, entries, and reports Redis memory", async () => {
    const stats = async () =>
      (await api("/cache/stats", { headers: { Authorization: "Bearer test-admin-token" } })).json<{
        hits: number;
        misses: number;
        bypasses: number;
        entries: number;
        redisUsedMemoryBytes: number | null;
      }>();
    const before = await stats();
    const product = await createProduct();
    await api(`/products/${product.id}`);
    await api(`/products/${product.id}`);
    const after = await stats();
    expect(after.misses - before.misses).toBeGreaterThanOrEqual(1);
    expect(after.hits - before.hits).toBeGreaterThanOrEqual(1);
    expect(after.entries).toBeGreaterThanOrEqual(1);
    expect(after.redisUsedMemoryBytes).toBeGreaterThan(0);
  });
});
