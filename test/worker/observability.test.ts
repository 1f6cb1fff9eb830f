import { env } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import { databaseCall } from "../../src/dependencies/calls";
import { LATENCY_BUCKETS_MS, quantile, type Histogram } from "../../src/observability/histogram";
import { ANONYMOUS, api, apiWithEnv, createProduct, DATABASE_DOWN } from "./helpers";
import { ADMIN } from "./jobs-helpers";
import { captureLogs } from "./log-capture";

const logs = captureLogs();
const logged = logs.logged;
const control = (path: string, body: unknown = {}) => fetch(`${inject("controlUrl")}${path}`, { method: "POST", body: JSON.stringify(body) });

describe("request logs", () => {
  it("writes one JSON line per request: id, route pattern, status, duration, dependencies, cache, breakers", async () => {
    const product = await createProduct();
    logs.clear();
    const response = await api(`/products/${product.id}`);
    expect(response.status).toBe(200);
    const requestLines = logged().filter((line) => line.msg === "request");
    expect(requestLines).toHaveLength(1);
    expect(requestLines[0]).toMatchObject({
      level: "info",
      requestId: response.headers.get("X-Request-Id"),
      method: "GET",
      route: "/products/{id}",
      status: 200,
      durationMs: expect.any(Number),
      cache: "MISS",
      dependencies: { neon: { calls: 1, errors: 0, ms: expect.any(Number) }, redis: { calls: expect.any(Number) } },
      breakers: { neon: "CLOSED" },
    });
  });

  it("never logs secrets or connection strings", async () => {
    await apiWithEnv(DATABASE_DOWN, "/products", { headers: { Authorization: "Bearer test-admin-token" } });
    await api("/jobs", { headers: ADMIN });
    const all = logs.lines().join("\n");
    expect(logs.lines().length).toBeGreaterThan(0);
    expect(all).not.toContain("test-admin-token");
    expect(all).not.toContain("edgekit:local@");
    expect(all).not.toContain(env.UPSTASH_REDIS_REST_TOKEN);
  });
});

describe("Server-Timing", () => {
  it("gives db, cache, upstream and total durations", async () => {
    const product = await createProduct();
    const timing = (await api(`/products/${product.id}`)).headers.get("Server-Timing") ?? "";
    expect(timing).toMatch(/db;dur=[\d.]+;desc="neon x1"/);
    expect(timing).toMatch(/cache;dur=[\d.]+;desc="redis x\d+"/);
    expect(timing).toMatch(/upstream;dur=[\d.]+;desc="reviews x1"/);
    expect(timing).toMatch(/total;dur=[\d.]+$/);
  });
});

/** Route histograms parsed from the Prometheus text: `GET /products/{id}` → buckets (not cumulative). */
async function routeHistograms(): Promise<Map<string, Histogram>> {
  const text = await (await api("/metrics", { headers: ADMIN })).text();
  const histograms = new Map<string, Histogram>();
  const cumulative = new Map<string, number[]>();
  for (const match of text.matchAll(/^edgekit_http_request_duration_ms_bucket\{method="(\w+)",route="([^"]+)",le="([^"]+)"\} (\d+)$/gm)) {
    const key = `${match[1]} ${match[2]}`;
    cumulative.set(key, [...(cumulative.get(key) ?? []), Number(match[4])]);
  }
  for (const [key, counts] of cumulative) {
    const buckets = counts.map((n, i) => n - (i === 0 ? 0 : (counts[i - 1] ?? 0)));
    histograms.set(key, { buckets, sum: 0, count: counts.at(-1) ?? 0 });
  }
  return histograms;
}

describe("metrics", () => {
  it("counts known traffic per route, and its percentiles come from the latency histogram", async () => {
    const product = await createProduct();
    const before = (await routeHistograms()).get("GET /products/{id}");
    // The reviews service answers in 120 ms: every request lands in the 100–250 ms bucket.
    await control("/reviews/faults", { delayMs: 120 });
    try {
      for (let i = 0; i < 10; i++) expect((await api(`/products/${product.id}`)).status).toBe(200);
    } finally {
      await control("/reviews/reset");
    }
    const after = (await routeHistograms()).get("GET /products/{id}");
    expect(after).toBeDefined();
    const delta: Histogram = {
      buckets: (after?.buckets ?? []).map((n, i) => n - (before?.buckets[i] ?? 0)),
      sum: 0,
      count: (after?.count ?? 0) - (before?.count ?? 0),
    };
    expect(delta.count).toBe(10);
    const bucket = LATENCY_BUCKETS_MS.indexOf(250);
    expect(delta.buckets[bucket]).toBe(10);
    for (const q of [0.5, 0.95, 0.99]) {
      expect(quantile(delta, q)).toBeGreaterThan(100);
      expect(quantile(delta, q)).toBeLessThanOrEqual(250);
    }

    const summary = await (await api("/metrics?format=json", { headers: ADMIN })).json<{
      routes: { method: string; route: string; count: number; latencyMs: { p50: number; p95: number; p99: number } }[];
      dependencies: { name: string; calls: number; errors: number; timeouts: number }[];
    }>();
    const route = summary.routes.find((r) => r.method === "GET" && r.route === "/products/{id}");
    expect(route?.count).toBe(after?.count);
    expect(route?.latencyMs.p50).toBeLessThanOrEqual(route?.latencyMs.p95 ?? 0);
    expect(route?.latencyMs.p95).toBeLessThanOrEqual(route?.latencyMs.p99 ?? 0);
    expect(summary.dependencies.map((d) => d.name)).toEqual(expect.arrayContaining(["neon", "redis", "reviews"]));
  });

  it("is in Prometheus text format, admin only", async () => {
    expect((await api("/metrics", {}, ANONYMOUS)).status).toBe(401);
    const response = await api("/metrics", { headers: ADMIN });
    expect(response.headers.get("Content-Type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(text).toContain("# TYPE edgekit_http_requests_total counter");
    expect(text).toMatch(/^edgekit_dependency_calls_total\{dependency="neon"\} \d+$/m);
    expect(text).toMatch(/^edgekit_http_request_duration_ms_bucket\{method="GET",route="\/metrics",le="\+Inf"\} \d+$/m);
  });
});

describe("slow queries", () => {
  it("logs and lists a query over SLOW_QUERY_MS, with its statement and no parameter values", async () => {
    const scope = { env: { ...env, SLOW_QUERY_MS: "150" }, signal: AbortSignal.timeout(5_000), waitUntil: () => undefined };
    const marker = `secret-value-${crypto.randomUUID()}`;
    await databaseCall(scope)((sql) => sql`SELECT pg_sleep(0.3), ${marker}::text AS marker`, { idempotent: true });
    const line = logged().find((l) => l.msg === "slow query");
    expect(line).toMatchObject({ level: "warn", statement: "SELECT pg_sleep(0.3), $1::text AS marker", thresholdMs: 150 });
    expect(JSON.stringify(line)).not.toContain(marker);

    const listed = await (await api("/admin/slow-queries", { headers: ADMIN })).json<{ count: number; latest: { statement: string; durationMs: number }[] }>();
    expect(listed.count).toBeGreaterThanOrEqual(1);
    expect(listed.latest[0]).toMatchObject({ statement: "SELECT pg_sleep(0.3), $1::text AS marker", durationMs: expect.any(Number) });
    expect(listed.latest[0]?.durationMs).toBeGreaterThanOrEqual(290);
  });
});
