import { describe, expect, inject, it } from "vitest";
import { api, apiWithEnv, DATABASE_DOWN, expectProblem, REDIS_DOWN } from "./helpers";

describe("GET /health", () => {
  it("is 200 with the state of the database and Redis", async () => {
    const response = await api("/health");
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    expect(await response.json()).toMatchObject({
      status: "ok",
      checks: {
        database: { status: "up", latencyMs: expect.any(Number) },
        redis: { status: "up", latencyMs: expect.any(Number) },
      },
    });
  });

  it("is 503 naming the database when it is down", async () => {
    const problem = await expectProblem(await apiWithEnv(DATABASE_DOWN, "/health"), 503);
    expect(problem.detail).toBe("Down: database.");
    expect(problem.checks).toMatchObject({ database: { status: "down" }, redis: { status: "up" } });
  });

  it("is 503 naming Redis when it is down", async () => {
    const response = await apiWithEnv(REDIS_DOWN, "/health");
    const problem = await expectProblem(response, 503);
    expect(problem.detail).toBe("Down: redis.");
    expect(response.headers.get("Retry-After")).toBe("5");
  });

  it("answers within its deadline when a dependency hangs", async () => {
    // A server that accepts connections and never answers (test/global-setup.ts).
    const started = Date.now();
    const response = await apiWithEnv(
      { UPSTASH_REDIS_REST_URL: inject("hangingServerUrl"), HEALTH_CHECK_TIMEOUT_MS: "200" },
      "/health",
    );
    const problem = await expectProblem(response, 503);
    expect(problem.checks).toMatchObject({ redis: { status: "down", error: "timed out" } });
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
