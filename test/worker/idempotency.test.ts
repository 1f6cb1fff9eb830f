import { describe, expect, inject, it } from "vitest";
import { api, apiWithEnv, createKey, expectProblem, REDIS_DOWN, TEST_KEY, uniqueName, type ProductJson } from "./helpers";

const post = (key: string, body: unknown, path = "/products", as: string = TEST_KEY) =>
  api(
    path,
    {
      method: "POST",
      headers: { "Content-Type": "application/json", "Idempotency-Key": key },
      body: JSON.stringify(body),
    },
    as,
  );
const control = (path: string, body: unknown = {}) =>
  fetch(`${inject("controlUrl")}${path}`, { method: "POST", body: JSON.stringify(body) });

describe("Idempotency-Key", () => {
  it("replays the first response byte for byte, and writes once", async () => {
    const key = crypto.randomUUID();
    const body = { name: uniqueName(), price_cents: 500 };
    const first = await post(key, body);
    expect(first.status).toBe(201);
    const firstBody = await first.text();
    const again = await post(key, body);
    expect(again.status).toBe(201);
    expect(await again.text()).toBe(firstBody);
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    expect(again.headers.get("Location")).toBe(first.headers.get("Location"));
    expect(first.headers.get("Idempotent-Replayed")).toBeNull();
    const id = (JSON.parse(firstBody) as ProductJson).id;
    expect((await api(`/products/${id}`)).status).toBe(200);
  });

  it("answers 422 when the key comes back with a different request", async () => {
    const key = crypto.randomUUID();
    expect((await post(key, { name: uniqueName(), price_cents: 1 })).status).toBe(201);
    const problem = await expectProblem(await post(key, { name: uniqueName(), price_cents: 2 }), 422);
    expect(problem.type).toBe("urn:edgekit:problem:idempotency-key-reused");
  });

  it("keeps nothing for a failed validation: the fixed request may reuse the key", async () => {
    const key = crypto.randomUUID();
    await expectProblem(await post(key, { name: "", price_cents: -1 }), 400);
    expect((await post(key, { name: uniqueName(), price_cents: 1 })).status).toBe(201);
  });

  it("gives 20 parallel requests with one key the same reply, and writes one row", async () => {
    const key = crypto.randomUUID();
    const body = { name: uniqueName(), price_cents: 7 };
    const responses = await Promise.all(Array.from({ length: 20 }, () => post(key, body)));
    const texts = await Promise.all(responses.map((r) => r.text()));
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(201));
    expect(new Set(texts).size).toBe(1);
    expect(responses.filter((r) => r.headers.get("Idempotent-Replayed") === "true")).toHaveLength(19);
    const list = await (await api("/products?limit=100")).json<{ items: ProductJson[] }>();
    expect(list.items.filter((p) => p.name === body.name)).toHaveLength(1);
  });

  it("answers 409 when the first request with the key is still running after a second", async () => {
    const key = crypto.randomUUID();
    const body = { name: uniqueName(), price_cents: 1 };
    await control("/neon/faults", { delayMs: 2_000 });
    try {
      const [a, b] = await Promise.all([post(key, body), new Promise((r) => setTimeout(r, 150)).then(() => post(key, body))]);
      expect([a.status, b.status].sort()).toEqual([201, 409]);
    } finally {
      await control("/neon/reset");
    }
  });

  it("refuses a key over 255 characters", async () => {
    const problem = await expectProblem(await post("k".repeat(256), { name: uniqueName(), price_cents: 1 }), 400);
    expect(problem.errors?.[0]).toMatchObject({ in: "header", field: "Idempotency-Key" });
  });

  it("refuses to run a keyed write when Redis is down (503), rather than risk running it twice", async () => {
    const response = await apiWithEnv(REDIS_DOWN, "/products", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Idempotency-Key": crypto.randomUUID() },
      body: JSON.stringify({ name: uniqueName(), price_cents: 1 }),
    });
    await expectProblem(response, 503);
  });
});

describe("Idempotency-Key scope", () => {
  it("belongs to its caller: another client's same key neither replays the first response nor is refused", async () => {
    const key = crypto.randomUUID();
    const body = { name: uniqueName(), price_cents: 5 };
    const [alice, mallory] = [(await createKey(["products:write"])).key, (await createKey(["products:write"])).key];
    const first = await post(key, body, "/products", alice);
    expect(first.status).toBe(201);
    // Same key, other caller: not a replay of Alice's response (it runs, and conflicts on the name).
    const squat = await post(key, body, "/products", mallory);
    expect(squat.headers.get("Idempotent-Replayed")).toBeNull();
    await expectProblem(squat, 409);
    // Alice's own retry is still a replay.
    expect((await post(key, body, "/products", alice)).headers.get("Idempotent-Replayed")).toBe("true");
  });

  it("belongs to its route and method: the same key on another route is another key", async () => {
    const key = crypto.randomUUID();
    expect((await post(key, { name: uniqueName(), price_cents: 1 })).status).toBe(201);
    const user = await post(key, { email: `i-${crypto.randomUUID()}@example.com`, name: "I" }, "/users");
    expect(user.status).toBe(201);
    expect(user.headers.get("Idempotent-Replayed")).toBeNull();
  });

  it("scopes job keys the same way: two callers, one key, two jobs", async () => {
    const key = crypto.randomUUID();
    const body = JSON.stringify({ name: "recompute-product-stats", payload: {}, delaySeconds: 43_200 });
    const enqueue = (as: string) => api("/jobs", { method: "POST", headers: { "Content-Type": "application/json", "Idempotency-Key": key }, body }, as);
    const [a, b] = [(await createKey(["jobs:write"])).key, (await createKey(["jobs:write"])).key];
    const first = await (await enqueue(a)).json<{ id: string }>();
    const second = await enqueue(b);
    expect(second.headers.get("Idempotent-Replayed")).toBeNull();
    expect((await second.json<{ id: string }>()).id).not.toBe(first.id);
    const again = await enqueue(a);
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    expect((await again.json<{ id: string }>()).id).toBe(first.id);
  });
});
