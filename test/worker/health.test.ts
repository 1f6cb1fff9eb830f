import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import worker from "../../src/index";
import { api, apiWithEnv, DATABASE_DOWN, expectProblem, requestsTo } from "./helpers";
import { ADMIN, sql } from "./jobs-helpers";

const control = (path: string) => fetch(`${inject("controlUrl")}${path}`, { method: "POST", body: "{}" });
const resetBreakers = () =>
  Promise.all(["neon", "redis", "reviews", "webhooks"].map((name) => api(`/admin/breakers/${name}/reset`, { method: "POST", headers: ADMIN })));

describe("GET /health (liveness)", () => {
  it("is 200 without calling any dependency", async () => {
    const response = await apiWithEnv(DATABASE_DOWN, "/health");
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    expect(await response.json()).toEqual({ status: "ok" });
  });
});

describe("GET /health/ready (readiness)", () => {
  it("is 200 with the database, Redis, the queue binding and every breaker", async () => {
    await resetBreakers();
    const response = await api("/health/ready");
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: "ready",
      checks: {
        database: { status: "up", latencyMs: expect.any(Number) },
        redis: { status: "up", latencyMs: expect.any(Number) },
        queue: { status: "up" },
        breakers: { neon: { state: "CLOSED" }, redis: { state: "CLOSED" }, reviews: { state: "CLOSED" }, webhooks: { state: "CLOSED" } },
      },
    });
  });

  it("is 503 naming the database when it is down", async () => {
    const problem = await expectProblem(await apiWithEnv(DATABASE_DOWN, "/health/ready"), 503);
    expect(problem.detail).toBe("Down: database.");
    expect(problem.checks).toMatchObject({ database: { status: "down" }, redis: { status: "up" } });
    expect(problem.jobs).toEqual({ status: "unavailable", error: expect.any(String) });
  });

  it("is 503 naming Redis while the Redis server is stopped", async () => {
    await control("/redis/stop");
    try {
      const response = await api("/health/ready");
      const problem = await expectProblem(response, 503);
      expect(problem.detail).toBe("Down: redis.");
      expect(response.headers.get("Retry-After")).toBe("5");
    } finally {
      await control("/redis/start");
    }
    expect((await api("/health/ready")).status).toBe(200);
  });

  it("is 503 naming an open circuit", async () => {
    await api("/admin/breakers/reviews/open", { method: "POST", headers: ADMIN });
    try {
      const problem = await expectProblem(await api("/health/ready"), 503);
      expect(problem.detail).toBe("Down: reviews circuit (FORCED_OPEN).");
    } finally {
      await resetBreakers();
    }
  });

  it("reuses its last verdict for READINESS_CACHE_MS, so the public route cannot fan out to every dependency", async () => {
    // One bindings object, as an isolate has: the verdict is kept per isolate.
    const bindings = { ...env, READINESS_CACHE_MS: "60000" };
    const ready = async () => {
      const ctx = createExecutionContext();
      const response = await worker.fetch(new Request("https://edgekit.test/health/ready"), bindings, ctx);
      await waitOnExecutionContext(ctx);
      return response;
    };
    expect((await ready()).status).toBe(200);
    const [neon, redis] = [await requestsTo("neon"), await requestsTo("redis")];
    for (let i = 0; i < 5; i++) {
      const response = await ready();
      expect(response.status).toBe(200);
      expect(response.headers.get("Age")).toMatch(/^\d+$/);
    }
    expect(await requestsTo("neon")).toBe(neon);
    expect(await requestsTo("redis")).toBe(redis);
  });

  it("answers within its deadline when a dependency hangs", async () => {
    // A server that accepts connections and never answers (test/global-setup.ts).
    const started = Date.now();
    const response = await apiWithEnv(
      { UPSTASH_REDIS_REST_URL: inject("hangingServerUrl"), HEALTH_CHECK_TIMEOUT_MS: "200" },
      "/health/ready",
    );
    const problem = await expectProblem(response, 503);
    expect(problem.checks).toMatchObject({ redis: { status: "down", error: "timed out" } });
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe("GET /health/ready: job counts", () => {
  const counts = async () => {
    const [row] = await sql()`SELECT count(*) FILTER (WHERE status = 'running')::int AS running,
      count(*) FILTER (WHERE status = 'queued')::int AS queued FROM jobs`;
    return row as { running: number; queued: number };
  };

  it("reports the running and queued jobs, as the jobs table holds them", async () => {
    await resetBreakers();
    // Rows of our own, with no queue message: nothing runs them while the test looks.
    const [running, queued] = [crypto.randomUUID(), crypto.randomUUID()];
    await sql()`INSERT INTO jobs (id, name, status, payload, max_attempts)
      VALUES (${running}, 'recompute-product-stats', 'running', '{}', 1), (${queued}, 'recompute-product-stats', 'queued', '{}', 1)`;
    try {
      const expected = await counts();
      expect(expected.running).toBeGreaterThanOrEqual(1);
      expect(expected.queued).toBeGreaterThanOrEqual(1);
      const response = await api("/health/ready");
      expect(response.status).toBe(200);
      const body = await response.json<{ jobs: unknown }>();
      expect(body.jobs).toEqual({ status: "ok", ...expected });
    } finally {
      await sql()`DELETE FROM jobs WHERE id IN (${running}, ${queued})`;
    }
  });

  it("reports them unavailable, with readiness naming only the database, while Postgres is really stopped", async () => {
    await control("/neon/stop");
    try {
      const response = await api("/health/ready");
      const problem = await expectProblem(response, 503);
      expect(problem.detail).toBe("Down: database.");
      expect(problem.jobs).toEqual({ status: "unavailable", error: expect.any(String) });
    } finally {
      await control("/neon/start");
    }
    expect((await api("/health/ready")).status).toBe(200);
  });

  it("never stalls readiness: a database slower than the probes' deadline leaves the counts unavailable in time", async () => {
    await fetch(`${inject("controlUrl")}/neon/faults`, { method: "POST", body: JSON.stringify({ delayMs: 3_000 }) });
    try {
      const response = await apiWithEnv({ HEALTH_CHECK_TIMEOUT_MS: "200" }, "/health/ready");
      const problem = await expectProblem(response, 503);
      expect(problem.checks).toMatchObject({ database: { status: "down", error: "timed out" } });
      expect(problem.jobs).toEqual({ status: "unavailable", error: "timed out" });
    } finally {
      await control("/neon/reset");
    }
  });

  it("reuses the counts with the verdict for READINESS_CACHE_MS: no query of their own", async () => {
    const bindings = { ...env, READINESS_CACHE_MS: "60000" };
    const ready = async () => {
      const ctx = createExecutionContext();
      const response = await worker.fetch(new Request("https://edgekit.test/health/ready"), bindings, ctx);
      await waitOnExecutionContext(ctx);
      return response;
    };
    const first = await (await ready()).json<{ jobs: unknown }>();
    expect(first.jobs).toMatchObject({ status: "ok", running: expect.any(Number), queued: expect.any(Number) });
    const neon = await requestsTo("neon");
    expect(await (await ready()).json()).toMatchObject({ jobs: first.jobs });
    expect(await requestsTo("neon")).toBe(neon);
  });
});
