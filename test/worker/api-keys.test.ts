import { describe, expect, it } from "vitest";
import { hashApiKey } from "../../src/auth/api-key";
import { ANONYMOUS, api, createKey, createProduct, expectProblem, requestsTo, sendJson, TEST_KEY } from "./helpers";
import { sql } from "./jobs-helpers";

interface KeyJson {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  key?: string;
}

const getKey = async (id: string) => (await api(`/admin/keys/${id}`)).json<KeyJson>();
const revoke = (id: string) => api(`/admin/keys/${id}/revoke`, { method: "POST" });

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let value = await read(); ; value = await read()) {
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`still ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("API keys", () => {
  it("are shown once at creation, and stored only as a SHA-256", async () => {
    const response = await sendJson("POST", "/admin/keys", { name: "billing", scopes: ["products:write", "jobs:write"] });
    expect(response.status).toBe(201);
    const created = await response.json<KeyJson>();
    expect(created.key).toMatch(/^ek_[0-9a-z]{8}_[0-9A-Za-z]{32}$/);
    expect(created.key?.startsWith(`${created.prefix}_`)).toBe(true);
    expect(response.headers.get("Location")).toBe(`/admin/keys/${created.id}`);
    expect(response.headers.get("Cache-Control")).toBe("no-store");

    const shown = await getKey(created.id);
    expect(shown).toMatchObject({ id: created.id, name: "billing", scopes: ["products:write", "jobs:write"], revoked_at: null });
    expect(shown).not.toHaveProperty("key");
    const listed = JSON.stringify(await (await api("/admin/keys?limit=100")).json());
    expect(listed).not.toContain(created.key);

    const [row] = await sql().query("SELECT * FROM api_keys WHERE id = $1", [created.id]);
    expect(row?.secret_hash).toBe(await hashApiKey(created.key ?? ""));
    expect(JSON.stringify(row)).not.toContain(created.key?.slice(12));
  });

  it("refuses bad key requests with 400 naming the field", async () => {
    const problem = await expectProblem(await sendJson("POST", "/admin/keys", { name: "x", scopes: ["root"] }), 400);
    expect(problem.errors?.[0]?.field).toMatch(/^scopes/);
    await expectProblem(await sendJson("POST", "/admin/keys", { name: "x", scopes: [] }), 400);
    await expectProblem(await sendJson("POST", "/admin/keys", { name: "x\u0000", scopes: ["admin"] }), 400);
  });

  it("grant exactly their scopes: 403 naming the scope otherwise", async () => {
    const { key } = await createKey(["users:read"]);
    expect((await api("/users?limit=1", {}, key)).status).toBe(200);
    const response = await sendJson("POST", "/users", { email: `a-${crypto.randomUUID()}@example.com`, name: "A" }, key);
    const problem = await expectProblem(response, 403);
    expect(problem).toMatchObject({ type: "urn:edgekit:problem:forbidden", scope: "users:write" });
    expect(response.headers.get("WWW-Authenticate")).toBe('Bearer realm="edgekit", error="insufficient_scope", scope="users:write"');
  });

  it("are read from Authorization with any case of the scheme, or from X-API-Key", async () => {
    const { key } = await createKey(["users:read"]);
    const variants: Record<string, string>[] = [{ Authorization: `bearer ${key}` }, { Authorization: `BEARER  ${key}` }, { "X-API-Key": key }];
    for (const headers of variants) {
      expect((await api("/users?limit=1", { headers }, ANONYMOUS)).status).toBe(200);
    }
  });

  it("stop working at once when revoked, even right after use (revocation drops the cached verification)", async () => {
    const created = await createKey(["users:read"]);
    for (let i = 0; i < 3; i++) expect((await api("/users?limit=1", {}, created.key)).status).toBe(200);
    const revoked = await revoke(created.id);
    expect(revoked.status).toBe(200);
    expect((await revoked.json<KeyJson>()).revoked_at).not.toBeNull();
    await expectProblem(await api("/users?limit=1", {}, created.key), 401);
    // Repeatable: the same answer, the first revocation time kept.
    const again = await (await revoke(created.id)).json<KeyJson>();
    expect(again.revoked_at).toBe((await getKey(created.id)).revoked_at);
    await expectProblem(await revoke(crypto.randomUUID()), 404);
  });

  it("stop working once expired", async () => {
    const created = await createKey(["users:read"], { expiresInDays: 30 });
    expect((await getKey(created.id)).expires_at).not.toBeNull();
    await sql().query("UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1", [created.id]);
    await expectProblem(await api("/users?limit=1", {}, created.key), 401);
  });

  it("record when they were last used, in the background (a first use at once)", async () => {
    const created = await createKey(["users:read"]);
    expect((await getKey(created.id)).last_used_at).toBeNull();
    const before = Date.now();
    await api("/users?limit=1", {}, created.key);
    const key = await until(() => getKey(created.id), (k) => k.last_used_at !== null);
    expect(Date.parse(key.last_used_at ?? "")).toBeGreaterThanOrEqual(before - 1_000);
  });

  it("cost no extra subrequest once verified: a cache hit is one Upstash request and no query, as anonymously", async () => {
    const product = await createProduct();
    const { key } = await createKey(["users:read"]);
    // Warm up: the product cached, the key verified (and its last-use write done).
    for (let i = 0; i < 3; i++) await api(`/products/${product.id}`, {}, key);
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Cache statistics are sent at most every 5 s per isolate: send them now, so none fall below.
    const flushCacheStats = () => api("/cache/stats");
    await flushCacheStats();
    const [redisBefore, neonBefore] = [await requestsTo("redis"), await requestsTo("neon")];
    for (let i = 0; i < 10; i++) {
      const response = await api(`/products/${product.id}`, {}, key);
      expect(response.headers.get("X-Cache")).toBe("HIT");
    }
    expect((await requestsTo("redis")) - redisBefore).toBe(10);
    expect((await requestsTo("neon")) - neonBefore).toBe(0);

    await flushCacheStats();
    const [anonRedis, anonNeon] = [await requestsTo("redis"), await requestsTo("neon")];
    for (let i = 0; i < 10; i++) await api(`/products/${product.id}`, {}, ANONYMOUS);
    expect((await requestsTo("redis")) - anonRedis).toBe(10);
    expect((await requestsTo("neon")) - anonNeon).toBe(0);
  });

  it("let the break-glass ADMIN_TOKEN do everything, and a wrong bearer nothing", async () => {
    expect((await api("/admin/keys?limit=1", { headers: { Authorization: "Bearer test-admin-token" } })).status).toBe(200);
    expect((await api("/users?limit=1", { headers: { Authorization: "bearer test-admin-token" } })).status).toBe(200);
    await expectProblem(await api("/admin/keys?limit=1", { headers: { Authorization: "Bearer test-admin-tokeN" } }), 401);
    expect(TEST_KEY).not.toBe("test-admin-token");
  });
});
