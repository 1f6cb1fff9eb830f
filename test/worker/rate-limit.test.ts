import { describe, expect, it } from "vitest";
import { api, apiWithEnv, expectProblem, REDIS_DOWN } from "./helpers";

// Each test is its own client (a unique CF-Connecting-IP), so counts never mix.
const client = () => ({ "CF-Connecting-IP": `203.0.113.${Math.floor(Math.random() * 250)}-${crypto.randomUUID()}` });
const limited = (headers: Record<string, string>, path = "/products?limit=1", limit = "3") =>
  apiWithEnv({ RATE_LIMIT_API_PER_MINUTE: limit }, path, { headers });

describe("rate limiting", () => {
  it("sends the IETF RateLimit headers and counts down", async () => {
    const headers = client();
    const first = await limited(headers);
    expect(first.status).toBe(200);
    expect(first.headers.get("RateLimit-Policy")).toBe('"api";q=3;w=60');
    expect(first.headers.get("RateLimit")).toMatch(/^"api";r=2;t=\d+$/);
    expect((await limited(headers)).headers.get("RateLimit")).toMatch(/^"api";r=1;t=/);
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

  it("keys by client IP, and by API key when one is sent", async () => {
    const exhausted = client();
    for (let i = 0; i < 4; i++) await limited(exhausted);
    expect((await limited(exhausted)).status).toBe(429);
    expect((await limited(client())).status).toBe(200);
    const withKey = { ...exhausted, "X-API-Key": `key-${crypto.randomUUID()}` };
    expect((await limited(withKey)).status).toBe(200);
  });

  it("leaves health checks and the docs alone", async () => {
    for (const path of ["/health", "/openapi.json"]) {
      const response = await api(path);
      expect(response.headers.get("RateLimit")).toBeNull();
    }
  });

  it("fails open on API routes when Redis is down, and closed on admin routes", async () => {
    const open = await apiWithEnv({ ...REDIS_DOWN, RATE_LIMIT_API_PER_MINUTE: "3" }, "/products?limit=1", { headers: client() });
    expect(open.status).toBe(200);
    expect(open.headers.get("RateLimit")).toBeNull();

    const closed = await apiWithEnv({ ...REDIS_DOWN, RATE_LIMIT_ADMIN_PER_MINUTE: "3" }, "/admin/breakers", {
      headers: { ...client(), Authorization: "Bearer test-admin-token" },
    });
    await expectProblem(closed, 503);
  });
});
