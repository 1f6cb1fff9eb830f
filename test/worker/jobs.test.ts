import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ANONYMOUS, api, createKey, createProduct, expectProblem, type Caller } from "./helpers";
import { ADMIN, enqueueJob, postJob, sql, waitForJob, type JobJson } from "./jobs-helpers";

describe("POST /jobs", () => {
  it("queues a job that the consumer runs to success, with its result", async () => {
    const product = await createProduct({ price_cents: 250, stock: 4 });
    const queued = await enqueueJob({ name: "recompute-product-stats", payload: { productId: product.id } });
    expect(queued).toMatchObject({ name: "recompute-product-stats", status: "queued", attempts: 0 });

    const done = await waitForJob(queued.id, ["succeeded"]);
    expect(done).toMatchObject({ attempts: 1, result: { productsUpdated: 1 }, last_error: null });
    expect(done.finished_at).not.toBeNull();
    const [stats] = await sql()`SELECT inventory_value_cents FROM product_stats WHERE product_id = ${product.id}`;
    expect(Number(stats?.inventory_value_cents)).toBe(1000);
  });

  it("answers 202 with Location, and the request id travels with the job", async () => {
    const response = await postJob({ name: "recompute-product-stats", payload: {} });
    expect(response.status).toBe(202);
    const job = await response.json<{ id: string; request_id: string }>();
    expect(response.headers.get("Location")).toBe(`/jobs/${job.id}`);
    expect(job.request_id).toBe(response.headers.get("X-Request-Id"));
    const done = await waitForJob(job.id, ["succeeded"]);
    expect(done.result).toMatchObject({ catalog: { productCount: expect.any(Number) } });
  });

  it("refuses an unknown job name with a 400 problem naming the field", async () => {
    const body = await expectProblem(await postJob({ name: "no-such-job", payload: {} }), 400);
    expect(body.errors).toEqual([expect.objectContaining({ in: "body", field: "name" })]);
  });

  it("refuses a payload its schema rejects, naming the payload field", async () => {
    const body = await expectProblem(await postJob({ name: "recompute-product-stats", payload: { productId: "nope" } }), 400);
    expect(body.errors).toEqual([expect.objectContaining({ in: "body", field: "payload.productId" })]);
  });

  it("needs jobs:write to enqueue and jobs:read to look: 401 without a key, 403 without the scope", async () => {
    const post = (as: Caller) => api("/jobs", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" }, as);
    await expectProblem(await post(ANONYMOUS), 401);
    await expectProblem(await api("/jobs", {}, ANONYMOUS), 401);
    const reader = (await createKey(["jobs:read"])).key;
    await expectProblem(await post(reader), 403);
    expect((await api("/jobs", {}, reader)).status).toBe(200);
    expect((await api("/jobs", { headers: ADMIN })).status).toBe(200);
  });
});

describe("POST /jobs with an Idempotency-Key", () => {
  it("gives the same job for the same key, never two", async () => {
    const key = crypto.randomUUID();
    const body = { name: "recompute-product-stats", payload: {} };
    const responses = await Promise.all(Array.from({ length: 5 }, () => postJob(body, { "Idempotency-Key": key })));
    const jobs = await Promise.all(responses.map(async (r) => ({ status: r.status, job: await r.json<{ id: string }>() })));
    expect(jobs.map((j) => j.status)).toEqual([202, 202, 202, 202, 202]);
    expect(new Set(jobs.map((j) => j.job.id)).size).toBe(1);
    const [row] = await sql()`SELECT count(*)::int AS n FROM jobs WHERE idempotency_key = ${key}`;
    expect(row?.n).toBe(1);
    await waitForJob(jobs[0]?.job.id ?? "", ["succeeded"]);
  });

  it("refuses the same key for another payload with 422", async () => {
    const key = crypto.randomUUID();
    await enqueueJob({ name: "recompute-product-stats", payload: {} }, { "Idempotency-Key": key });
    const other = await postJob({ name: "recompute-product-stats", payload: { productId: crypto.randomUUID() } }, { "Idempotency-Key": key });
    await expectProblem(other, 422);
  });
});

describe("GET /jobs", () => {
  it("lists jobs of one status, newest first, page by page", async () => {
    const created: JobJson[] = [];
    for (let i = 0; i < 3; i++) created.push(await enqueueJob({ name: "recompute-product-stats", payload: {}, delaySeconds: 3_600 }));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/jobs?status=queued&limit=2${cursor ? `&cursor=${cursor}` : ""}`;
      const page = await (await api(query, { headers: ADMIN })).json<{ items: { id: string; status: string }[]; nextCursor: string | null }>();
      expect(page.items.every((job) => job.status === "queued")).toBe(true);
      seen.push(...page.items.map((job) => job.id));
      cursor = page.nextCursor;
    } while (cursor);
    const ours = seen.filter((id) => created.some((job) => job.id === id));
    expect(ours).toEqual(created.map((job) => job.id).reverse());
  });

  it("answers 404 for an unknown job and 400 for a bad status", async () => {
    await expectProblem(await api(`/jobs/${crypto.randomUUID()}`, { headers: ADMIN }), 404);
    await expectProblem(await api("/jobs?status=sleeping", { headers: ADMIN }), 400);
  });
});

describe("notify-webhook", () => {
  it("POSTs to the receiver once, with the job id as Idempotency-Key", async () => {
    const inbox = `inbox-${crypto.randomUUID()}`;
    const url = `${env.REVIEWS_API_URL}/webhooks/${inbox}`;
    const job = await enqueueJob({ name: "notify-webhook", payload: { url, event: "product.created", data: { id: 1 } } });
    const done = await waitForJob(job.id, ["succeeded"]);
    expect(done.result).toMatchObject({ delivered: true });
    const received = await (await fetch(url)).json<{ deliveries: { key: string; count: number; body: unknown }[] }>();
    expect(received.deliveries).toEqual([
      { key: job.id, count: 1, body: expect.objectContaining({ id: job.id, event: "product.created", data: { id: 1 } }) },
    ]);
  });

  it("dead-letters at once when the receiver refuses with a 4xx", async () => {
    const url = `${env.REVIEWS_API_URL}/webhooks/refusing?status=410`;
    const job = await enqueueJob({ name: "notify-webhook", payload: { url, event: "x" } });
    const dead = await waitForJob(job.id, ["dead"]);
    expect(dead).toMatchObject({ attempts: 1, last_error: expect.stringContaining("HTTP 410") });
  });
});
