import { env } from "cloudflare:workers";
import { afterAll, describe, expect, it } from "vitest";
import { SnapshotSchema } from "../../src/routes/console/console.routes";
import { ANONYMOUS, api, apiWithEnv, createKey, expectProblem, REDIS_DOWN, sendJson } from "./helpers";
import { ADMIN, enqueueJob, waitForJob } from "./jobs-helpers";

type Snapshot = ReturnType<typeof SnapshotSchema.parse>;

async function snapshot(as?: string, query = ""): Promise<Snapshot> {
  const response = await api(`/console/snapshot${query}`, {}, as);
  expect(response.status, await response.clone().text()).toBe(200);
  // The route's own schema (the one /openapi.json publishes): the page relies on this shape.
  return SnapshotSchema.parse(await response.json());
}

/** The directives of a Content-Security-Policy header, by name. */
function directives(header: string | null): Map<string, string[]> {
  return new Map(
    (header ?? "")
      .split(";")
      .map((directive) => directive.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name = "", ...values]) => [name, values]),
  );
}

/** Every `<script>` of a page: a `src` of this origin, or a data block that never runs. */
function expectNoInlineScript(html: string): void {
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
  expect(scripts.length).toBeGreaterThan(0);
  for (const [, attributes = "", body = ""] of scripts) {
    const src = /\bsrc="([^"]+)"/.exec(attributes)?.[1];
    if (src) expect(src.startsWith("/assets/"), src).toBe(true);
    else expect(attributes).toContain('type="application/json"');
    expect(body.trim()).toBe("");
  }
}

afterAll(async () => {
  // Breakers are shared by every test file: leave them as found.
  for (const name of ["reviews", "redis"]) await api(`/admin/breakers/${name}/reset`, { method: "POST", headers: ADMIN });
});

describe("/docs", () => {
  it("loads the API reference from this origin only, under a CSP that allows no other", async () => {
    const response = await api("/docs", {}, ANONYMOUS);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('<script src="/assets/scalar/standalone.js"></script>');
    expect(html).toContain('data-url="/openapi.json"');
    expect(html).not.toMatch(/https?:\/\//);
    expectNoInlineScript(html);
    const csp = directives(response.headers.get("Content-Security-Policy"));
    expect(csp.get("script-src")).toEqual(["'self'"]);
    expect(csp.get("default-src")).toEqual(["'none'"]);
    expect(csp.get("connect-src")).toEqual(["'self'"]);
    expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
  });

  it("serves the bundle as a static file (the [assets] directory tools/assets.ts writes)", async () => {
    const bundle = await env.ASSETS.fetch("https://edgekit.test/assets/scalar/standalone.js");
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get("Content-Type")).toContain("javascript");
    expect((await bundle.text()).length).toBeGreaterThan(1_000_000);
  });
});

describe("/console", () => {
  it("is a page without data or secrets: anyone gets it, with a CSP that allows this origin's files alone", async () => {
    const response = await api("/console", {}, ANONYMOUS);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('<script type="module" src="/assets/console/console.js"></script>');
    expect(html).not.toMatch(/https?:\/\//);
    // The key's input has no name: a form sent without the script carries no key.
    expect(html).toMatch(/<input id="key" type="password"(?![^>]*\bname=)[^>]*>/);
    expectNoInlineScript(html);
    const csp = directives(response.headers.get("Content-Security-Policy"));
    expect(csp.get("script-src")).toEqual(["'self'"]);
    expect(csp.get("style-src")).toEqual(["'self'"]);
    expect(csp.get("form-action")).toEqual(["'none'"]);
    expect(csp.get("connect-src")).toEqual(["'self'"]);
    for (const file of ["/assets/console/console.js", "/assets/console/console.css", "/assets/console/api.js"]) {
      expect((await env.ASSETS.fetch(`https://edgekit.test${file}`)).status, file).toBe(200);
    }
  });

  it("answers a snapshot to an admin key only: 401 without a key, 403 with another scope", async () => {
    await expectProblem(await api("/console/snapshot", {}, ANONYMOUS), 401);
    const reader = await createKey(["jobs:read", "events:subscribe"]);
    await expectProblem(await api("/console/snapshot", {}, reader.key), 403);
  });

  it("leaves out what the key may not see: jobs without jobs:read, private topics without events:subscribe", async () => {
    const admin = await createKey(["admin"], { name: "console: admin only" });
    const seen = await snapshot(admin.key);
    expect(seen.caller).toMatchObject({ kind: "key", name: "console: admin only", prefix: admin.prefix, scopes: ["admin"] });
    expect(seen.breakers.ok && seen.metrics.ok && seen.cache.ok).toBe(true);
    expect(seen.jobs).toMatchObject({ ok: false, status: 403, error: expect.stringContaining("jobs:read") });
    const topics = Object.fromEntries(seen.topics.map((t) => [t.topic, t.stats]));
    expect(topics.jobs).toMatchObject({ ok: false, status: 403 });
    expect(topics.products).toMatchObject({ ok: true });
  });

  it("shows every part to a key with the scopes: breakers, metrics with histograms, alerts, cache, jobs, topics", async () => {
    await api("/products?limit=1", {}, ANONYMOUS);
    const seen = await snapshot();
    expect(seen.caller.scopes).toContain("jobs:read");
    if (!seen.breakers.ok || !seen.metrics.ok || !seen.jobs.ok) throw new Error(JSON.stringify(seen));
    expect(seen.breakers.data.map((b) => b.name)).toEqual(["neon", "redis", "reviews", "webhooks"]);
    const { summary, histograms } = seen.metrics.data;
    const routes = summary.routes as { method: string; route: string; count: number }[];
    const products = routes.find((r) => r.method === "GET" && r.route === "/products");
    expect(products?.count).toBeGreaterThan(0);
    // One count per bucket, +Inf last, adding up to the route's requests.
    const buckets = histograms.routes["GET /products"] ?? [];
    expect(buckets).toHaveLength(histograms.boundsMs.length + 1);
    expect(buckets.reduce((a, b) => a + b, 0)).toBe(products?.count);
    expect(seen.alerts.ok).toBe(true);
    expect(seen.topics.map((t) => t.topic)).toEqual(expect.arrayContaining(["jobs", "products"]));
    expect(seen.jobs.ok).toBe(true);
  });

  it("shows a breaker forced open at once, and a topic asked for", async () => {
    await api("/admin/breakers/reviews/open", { method: "POST", headers: ADMIN });
    const topic = `console-${crypto.randomUUID().slice(0, 8)}`;
    expect((await sendJson("POST", `/events/${topic}`, { type: "note.posted", data: { text: "hello" } })).status).toBe(201);
    const seen = await snapshot(undefined, `?topics=${topic}`);
    if (!seen.breakers.ok) throw new Error(seen.breakers.error);
    expect(seen.breakers.data.find((b) => b.name === "reviews")?.view.state).toBe("FORCED_OPEN");
    expect(seen.topics.find((t) => t.topic === topic)?.stats).toMatchObject({ ok: true, data: { published: 1, lastEventId: 1 } });
    await api("/admin/breakers/reviews/reset", { method: "POST", headers: ADMIN });
  });

  it("lists a dead job, and counts it per name and status", async () => {
    const job = await enqueueJob({
      name: "notify-webhook",
      payload: { url: `${env.REVIEWS_API_URL}/webhooks/console?status=400`, event: "console.test" },
    });
    await waitForJob(job.id, ["dead"]);
    const seen = await snapshot();
    if (!seen.jobs.ok) throw new Error(seen.jobs.error);
    expect(seen.jobs.data.dead.find((d) => d.id === job.id)).toMatchObject({ name: "notify-webhook", status: "dead", last_error: expect.stringContaining("HTTP 400") });
    expect(seen.jobs.data.counts.find((c) => c.name === "notify-webhook" && c.status === "dead")?.count).toBeGreaterThanOrEqual(1);
  });

  it("answers with the other parts when Redis is down: the cache part says why", async () => {
    const response = await apiWithEnv(REDIS_DOWN, "/console/snapshot", { headers: ADMIN }, ANONYMOUS);
    expect(response.status).toBe(200);
    const seen = SnapshotSchema.parse(await response.json());
    expect(seen.caller.kind).toBe("admin-token");
    expect(seen.cache).toMatchObject({ ok: false, status: expect.any(Number) });
    expect(seen.cache.ok ? undefined : seen.cache.status).toBeGreaterThanOrEqual(500);
    expect(seen.breakers.ok).toBe(true);
    expect(seen.jobs.ok).toBe(true);
  });

  it("refuses an invalid topic, or too many, naming the query field", async () => {
    await expectProblem(await api("/console/snapshot?topics=Not%20A%20Topic"), 400);
    const many = Array.from({ length: 12 }, (_, i) => `t${String(i)}`).join(",");
    const problem = await expectProblem(await api(`/console/snapshot?topics=${many}`), 400);
    expect(JSON.stringify(problem)).toContain("topics");
  });

  it("counts the snapshot against the API budget, not the operator routes' tighter one", async () => {
    const response = await api("/console/snapshot");
    expect(response.headers.get("RateLimit-Policy")).toMatch(/^"api";/);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
  });
});
