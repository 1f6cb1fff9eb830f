import { describe, expect, it } from "vitest";
import { api, createProduct, expectProblem } from "./helpers";
import { ADMIN, enqueueJob, postJob, sql, waitForJob } from "./jobs-helpers";

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
    const job = (await response.json()) as { id: string; request_id: string };
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

  it("needs the admin token", async () => {
    const response = await api("/jobs", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
    await expectProblem(response, 401);
    await expectProblem(await api("/jobs", { headers: {} }), 401);
    expect((await api("/jobs", { headers: ADMIN })).status).toBe(200);
  });
});
