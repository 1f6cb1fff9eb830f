import { describe, expect, it } from "vitest";
import { api, apiWithEnv, DATABASE_DOWN, expectProblem } from "./helpers";

describe("error contract (RFC 9457)", () => {
  it("answers unknown routes with a 404 problem", async () => {
    const problem = await expectProblem(await api("/nope"), 404);
    expect(problem).toMatchObject({ type: "about:blank", title: "Not Found", instance: "/nope" });
  });

  it("answers a known path with the wrong method with 405 and Allow", async () => {
    const response = await api("/products", { method: "PUT" });
    await expectProblem(response, 405);
    expect(response.headers.get("Allow")?.split(", ").sort()).toEqual(["GET", "HEAD", "POST"]);
  });

  it("answers an unexpected failure with a generic 500: no stack, config or internals", async () => {
    // A broken [vars] value makes every request fail inside the app.
    const response = await apiWithEnv({ REQUEST_TIMEOUT_MS: "soon" }, `/products/${crypto.randomUUID()}`);
    const problem = await expectProblem(response, 500);
    expect(problem.title).toBe("Internal Server Error");
    const text = JSON.stringify(problem);
    for (const leak of ["REQUEST_TIMEOUT_MS", "soon", "Invalid configuration", "at ", ".ts"]) {
      expect(text).not.toContain(leak);
    }
  });

  it("answers 503 with Retry-After when the database is unreachable, without SQL or addresses", async () => {
    const response = await apiWithEnv(DATABASE_DOWN, `/products/${crypto.randomUUID()}`);
    const problem = await expectProblem(response, 503);
    expect(problem).toMatchObject({ type: "urn:edgekit:problem:dependency-unavailable", dependency: "neon" });
    expect(response.headers.get("Retry-After")).toMatch(/^\d+$/);
    const text = JSON.stringify(problem);
    for (const leak of ["SELECT", "postgres://", "127.0.0.1", "Error connecting"]) expect(text).not.toContain(leak);
  });

  it("answers 504 when the request's time budget runs out", async () => {
    // GET /products declares the read budget (test/worker/route-budgets.test.ts covers each kind).
    const response = await apiWithEnv({ READ_REQUEST_TIMEOUT_MS: "1" }, "/products?limit=100");
    expect((await expectProblem(response, 504)).type).toBe("urn:edgekit:problem:timeout");
  });
});

describe("request ids", () => {
  it("puts a generated request id on every response", async () => {
    const ok = await api("/openapi.json");
    const missing = await api("/nope");
    expect(ok.headers.get("X-Request-Id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(missing.headers.get("X-Request-Id")).not.toBe(ok.headers.get("X-Request-Id"));
  });

  it("mints its own id whatever the client sends (a client's id is only logged beside it)", async () => {
    const response = await api("/nope", { headers: { "X-Request-Id": "trace-abc-123" } });
    expect(response.headers.get("X-Request-Id")).toMatch(/^[0-9a-f-]{36}$/);
    expect((await expectProblem(response, 404)).requestId).toBe(response.headers.get("X-Request-Id"));
  });

  it("adopts the caller's request id only when TRUST_REQUEST_ID says a trusted proxy sets it", async () => {
    const response = await apiWithEnv({ TRUST_REQUEST_ID: "true" }, "/nope", { headers: { "X-Request-Id": "trace-abc-123" } });
    expect(response.headers.get("X-Request-Id")).toBe("trace-abc-123");
    expect((await expectProblem(response, 404)).requestId).toBe("trace-abc-123");
  });
});
