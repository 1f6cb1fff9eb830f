import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createRedis } from "../../src/data/redis";
import { ANONYMOUS, api, apiWithEnv, createKey, expectProblem, REDIS_DOWN, requestsTo, TEST_KEY, type Caller } from "./helpers";

// Each test is its own client (a unique CF-Connecting-IP), so counts never mix.
const client = () => ({ "CF-Connecting-IP": `203.0.113.${Math.floor(Math.random() * 250)}-${crypto.randomUUID()}` });
const limited = (headers: Record<string, string>, as: Caller = ANONYMOUS, path = "/products?limit=1", limit = "3") =>
  apiWithEnv({ RATE_LIMIT_API_PER_MINUTE: limit }, path, { headers }, as);
const madeUpKey = () => `ek_abcdefgh_${crypto.randomUUID().replaceAll("-", "")}`;
const bucketKeys = () => createRedis(env, AbortSignal.timeout(5_000)).keys("edgekit:ratelimit:api:*");

describe("rate limiting", () => {
  it("sends the IETF RateLimit headers and counts down", async () => {
    // The sliding window's windows are aligned to the clock's minutes: when one ends between
    // the two requests, the second starts a new count. That pair is tried again, with a new client.
    const reset = (response: Response) => Number(/;t=(\d+)$/.exec(response.headers.get("RateLimit") ?? "")?.[1]);
    for (let attempt = 0; ; attempt++) {
      const headers = client();
      const first = await limited(headers);
      expect(first.status).toBe(200);
      expect(first.headers.get("RateLimit-Policy")).toBe('"api";q=3;w=60');
      expect(first.headers.get("RateLimit")).toMatch(/^"api";r=2;t=\d+$/);
      const second = await limited(headers);
      if (reset(second) > reset(first) && attempt < 2) continue;
      expect(second.headers.get("RateLimit")).toMatch(/^"api";r=1;t=/);
      break;
    }
  });

  it("answers 429 problem+json with Retry-After past the limit", async () => {
    const headers = client();
    for (let i = 0; i < 3; i++) expect((await limited(headers)).status).toBe(200);
    const response = await limited(headers);
    const problem = await expectProblem(response, 429);
    expect(problem.type).toBe("urn:edgekit:problem:rate-limited");
    expect(Number(response.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(response.headers.get("RateLimit")).toMatch(/^"api";r=0;t=\d+$/);
  });

  it("counts anonymous clients by IP, and a verified key in a bucket of its own", async () => {
    const exhausted = client();
    for (let i = 0; i < 4; i++) await limited(exhausted);
    expect((await limited(exhausted)).status).toBe(429);
    expect((await limited(client())).status).toBe(200);
    const { key } = await createKey(["users:read"]);
    expect((await limited(client(), key)).status).toBe(200); // verified once (cached)
    const keyed = await limited(exhausted, key);
    expect(keyed.status).toBe(200);
    expect(keyed.headers.get("RateLimit")).toMatch(/^"api";r=1;/);
  });

  it("lets an IP over its limit make the database check no key it has never seen", async () => {
    const exhausted = client();
    for (let i = 0; i < 4; i++) await limited(exhausted);
    const neonBefore = await requestsTo("neon");
    await expectProblem(await limited(exhausted, madeUpKey()), 429);
    expect(await requestsTo("neon")).toBe(neonBefore);
  });

  it("answers a made-up key 401, counted against the client IP, and never makes it a bucket", async () => {
    const headers = client();
    const bucketsBefore = (await bucketKeys()).length;
    for (const key of [madeUpKey(), madeUpKey()]) {
      const problem = await expectProblem(await limited(headers, key), 401);
      expect(problem.type).toBe("urn:edgekit:problem:unauthorized");
    }
    // Two made-up keys used two of the IP's three requests.
    expect((await limited(headers)).headers.get("RateLimit")).toMatch(/^"api";r=0;/);
    await expectProblem(await limited(headers, madeUpKey()), 429);
    // The only new bucket is the client IP's.
    expect((await bucketKeys()).length - bucketsBefore).toBeLessThanOrEqual(2); // its current window, maybe the previous
    expect((await bucketKeys()).filter((k) => k.includes(headers["CF-Connecting-IP"]))).not.toHaveLength(0);
  });

  it("answers 401 to a value that is not an API key, in either header, and to two credentials at once", async () => {
    await expectProblem(await api("/products?limit=1", { headers: { "X-API-Key": "hunter2" } }, ANONYMOUS), 401);
    await expectProblem(await api("/products?limit=1", { headers: { Authorization: "Basic Zm9vOmJhcg==" } }, ANONYMOUS), 401);
    await expectProblem(await api("/products?limit=1", { headers: { Authorization: `Bearer ${TEST_KEY}`, "X-API-Key": TEST_KEY } }, ANONYMOUS), 401);
  });

  it("leaves health checks and the docs alone", async () => {
    for (const path of ["/health", "/openapi.json"]) {
      const response = await api(path);
      expect(response.headers.get("RateLimit")).toBeNull();
    }
  });

  it("fails open on API routes when Redis is down, and closed on admin routes (but for the break-glass token)", async () => {
    const open = await apiWithEnv({ ...REDIS_DOWN, RATE_LIMIT_API_PER_MINUTE: "3" }, "/products?limit=1", { headers: client() }, ANONYMOUS);
    expect(open.status).toBe(200);
    expect(open.headers.get("RateLimit")).toBeNull();

    const closed = await apiWithEnv({ ...REDIS_DOWN, RATE_LIMIT_ADMIN_PER_MINUTE: "3" }, "/admin/breakers", { headers: client() });
    await expectProblem(closed, 503);

    const breakGlass = await apiWithEnv({ ...REDIS_DOWN, RATE_LIMIT_ADMIN_PER_MINUTE: "3" }, "/admin/breakers", {
      headers: { ...client(), Authorization: "Bearer test-admin-token" },
    });
    expect(breakGlass.status).toBe(200);
  });
});
