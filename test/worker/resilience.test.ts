import { env } from "cloudflare:workers";
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, inject, it } from "vitest";
import { ANONYMOUS, api, apiWithEnv, createKey, createProduct, expectProblem, sendJson, type ProductJson } from "./helpers";

// Faults are real: the stack's control endpoint stops, slows or fails its servers
// (tools/stack/control-server.ts). BREAKER_BREAK_MS is 1500 in tests (vitest.config.ts).
const control = (path: string, body: unknown = {}) =>
  fetch(`${inject("controlUrl")}${path}`, { method: "POST", body: JSON.stringify(body) });
const stats = async (server: string) => {
  const state = await (await fetch(`${inject("controlUrl")}/${server}`)).json<{ stats: { requests: number; aborted: number } }>();
  return state.stats;
};
const admin = (path: string, method = "GET") =>
  api(path, { method, headers: { Authorization: "Bearer test-admin-token" } });
const breakerState = async (name: string) => {
  const { breakers } = await (await admin("/admin/breakers")).json<{ breakers: { name: string; view: { state: string } }[] }>();
  return breakers.find((b) => b.name === name)?.view.state;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Retries `check` until it holds, for transitions driven by real (short) time. */
async function eventually(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error("condition not reached in time");
    await sleep(100);
  }
}

afterEach(async () => {
  for (const server of ["neon", "redis", "reviews"]) await control(`/${server}/reset`);
  for (const name of ["neon", "redis", "reviews"]) await admin(`/admin/breakers/${name}/reset`, "POST");
});

describe("optional enrichment (reviews)", () => {
  it("adds the reviews service's answer to GET /products/{id}", async () => {
    const product = await createProduct();
    const response = await api(`/products/${product.id}`);
    expect(response.status).toBe(200);
    const body = await response.json<ProductJson & { reviews: unknown[]; degraded?: string[] }>();
    expect(Array.isArray(body.reviews)).toBe(true);
    expect(body.degraded).toBeUndefined();
    expect(response.headers.get("X-Degraded")).toBeNull();
  });

  it("leaves the reviews out, inside its budget, when the service is slow; the service sees the abort", async () => {
    const product = await createProduct();
    await control("/reviews/faults", { delayMs: 5_000 });
    const started = Date.now();
    const response = await api(`/products/${product.id}`);
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(response.status).toBe(200);
    expect(response.headers.get("X-Degraded")).toBe("reviews");
    expect(await response.json()).toMatchObject({ id: product.id, reviews: [], degraded: ["reviews"] });
    await eventually(async () => (await stats("reviews")).aborted >= 1);
  });

  it("fails over to the next base URL when the first is down", async () => {
    const product = await createProduct();
    const reviewsUrl = inject("stackEnv").REVIEWS_API_URL;
    const response = await apiWithEnv({ REVIEWS_API_URL: `http://127.0.0.1:9,${reviewsUrl}` }, `/products/${product.id}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("X-Degraded")).toBeNull();
    expect(await stats("reviews")).toMatchObject({ requests: 1 });
  });

  it("serves a batch: one query for the products, reviews fetched concurrently, missing ids listed", async () => {
    const [a, b] = [await createProduct(), await createProduct()];
    const unknown = crypto.randomUUID();
    const response = await sendJson("POST", "/products/batch", { ids: [b.id, unknown, a.id] });
    expect(response.status).toBe(200);
    const body = await response.json<{ items: { id: string; reviews: unknown[] }[]; missing: string[] }>();
    expect(body.items.map((item) => item.id)).toEqual([b.id, a.id]);
    expect(body.missing).toEqual([unknown]);
    await expectProblem(await sendJson("POST", "/products/batch", { ids: [] }), 400);
  });
});

describe("circuit breaker", () => {
  it("opens after the threshold, stops calling the dependency, and closes again once it recovers", async () => {
    const product = await createProduct();
    await control("/reviews/faults", { failureRate: 1 });
    for (let i = 0; i < 8; i++) await api(`/products/${product.id}`);
    // Outcomes reach the breaker's object in the background (waitUntil), within moments.
    await eventually(async () => (await breakerState("reviews")) === "OPEN", 2_000);

    // While open, requests still succeed (degraded) and the service gets no calls.
    const before = (await stats("reviews")).requests;
    for (let i = 0; i < 5; i++) {
      const response = await api(`/products/${product.id}`);
      expect(response.headers.get("X-Degraded")).toBe("reviews");
    }
    expect((await stats("reviews")).requests).toBe(before);

    // After the break, probes find it healthy again and the circuit closes.
    await control("/reviews/reset");
    await eventually(async () => {
      const response = await api(`/products/${product.id}`);
      return response.headers.get("X-Degraded") === null && (await breakerState("reviews")) === "CLOSED";
    });
  });

  it("after the break lets exactly K = 2 probes through, then closes when they succeed", async () => {
    const product = await createProduct();
    await control("/reviews/faults", { failureRate: 1 });
    for (let i = 0; i < 8; i++) await api(`/products/${product.id}`);
    await eventually(async () => (await breakerState("reviews")) === "OPEN", 2_000);

    // Healthy again but slow, so the probes are still out while the others arrive.
    await control("/reviews/reset");
    await control("/reviews/faults", { delayMs: 300 });
    await sleep(1_600); // the break (1.5 s) is over
    const responses = await Promise.all(Array.from({ length: 10 }, () => api(`/products/${product.id}`)));
    expect((await stats("reviews")).requests).toBe(2);
    expect(responses.filter((r) => r.headers.get("X-Degraded") === null)).toHaveLength(2);
    await eventually(async () => (await breakerState("reviews")) === "CLOSED", 2_000);
  });

  it("lets no more than the threshold of 100 concurrent requests reach a failing dependency", async () => {
    const product = await createProduct();
    await control("/reviews/reset");
    await control("/reviews/faults", { failureRate: 1 });
    const responses = await Promise.all(Array.from({ length: 100 }, () => api(`/products/${product.id}`)));
    expect(responses.every((response) => response.status === 200)).toBe(true);
    expect((await stats("reviews")).requests).toBeLessThanOrEqual(5);
  });

  it("answers 503 fast with Retry-After while Postgres is really stopped, and recovers when it starts", async () => {
    const product = await createProduct();
    await control("/neon/stop");
    const started = Date.now();
    const down = await api(`/products/${product.id}`);
    expect(Date.now() - started).toBeLessThan(2_000);
    const problem = await expectProblem(down, 503);
    expect(problem.dependency).toBe("neon");
    expect(Number(down.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);

    await control("/neon/start");
    await eventually(async () => (await api(`/products/${product.id}`)).status === 200);
  });

  it("survives the eviction of its Durable Object, and its alarm moves OPEN to HALF_OPEN", async () => {
    const stub = env.CIRCUIT_BREAKERS.get(env.CIRCUIT_BREAKERS.idFromName("reviews"));
    await stub.report("reviews", [{ successes: 0, failures: 10, at: Date.now() }]);
    expect((await stub.status("reviews")).view.state).toBe("OPEN");
    await evictDurableObject(stub);
    expect((await stub.status("reviews")).view.state).toBe("OPEN");

    // Once the break (1.5 s) is over, the alarm moves it on with no call to the object:
    // miniflare may have fired it already; if not, fire it now.
    await sleep(1_600);
    await runDurableObjectAlarm(stub);
    const stored = await runInDurableObject(stub, async (_, state) => state.storage.get<{ state: { kind: string } }>("breaker"));
    expect(stored?.state.kind).toBe("HALF_OPEN");
  });
});

describe("admin routes", () => {
  it("refuses requests without the admin token", async () => {
    const response = await api("/admin/breakers", {}, ANONYMOUS);
    await expectProblem(response, 401);
    expect(response.headers.get("WWW-Authenticate")).toMatch(/^Bearer/);
    await expectProblem(await api("/admin/breakers", { headers: { Authorization: "Bearer wrong" } }), 401);
    await expectProblem(await api("/admin/breakers", {}, (await createKey(["products:write"])).key), 403);
  });

  it("lists every breaker with its state and counters", async () => {
    const response = await admin("/admin/breakers");
    expect(response.status).toBe(200);
    const { breakers } = await response.json<{ breakers: { name: string; counters: object }[] }>();
    expect(breakers.map((b) => b.name)).toEqual(["neon", "redis", "reviews", "webhooks"]);
    expect(breakers[0]!.counters).toHaveProperty("opens");
  });

  it("forces a breaker open (fail fast: 503 with Retry-After), then resets it", async () => {
    const product = await createProduct();
    const forced = await admin("/admin/breakers/neon/open", "POST");
    expect(await forced.json()).toMatchObject({ name: "neon", view: { state: "FORCED_OPEN" } });
    const response = await api(`/products/${product.id}`);
    await expectProblem(response, 503);
    expect(response.headers.get("Retry-After")).not.toBeNull();

    await admin("/admin/breakers/neon/reset", "POST");
    expect((await api(`/products/${product.id}`)).status).toBe(200);
  });

  it("refuses an unknown breaker or action", async () => {
    await expectProblem(await admin("/admin/breakers/nope/open", "POST"), 400);
    await expectProblem(await admin("/admin/breakers/neon/explode", "POST"), 400);
  });
});
