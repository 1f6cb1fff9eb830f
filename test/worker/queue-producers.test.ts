import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { createProduct } from "./helpers";
import { getJob, sql, waitForJob, type JobJson } from "./jobs-helpers";

/** The other Worker (test/fixtures/producer-worker.mjs), which sends to the jobs queue with its own binding. */
const producer = (env as Env & { PRODUCER: Fetcher }).PRODUCER;

async function sendFromOtherWorker(body: unknown, options: QueueSendOptions = {}): Promise<void> {
  const response = await producer.fetch("https://producer/send", { method: "POST", body: JSON.stringify({ body, options }) });
  expect(response.status).toBe(204);
}

/** Polls the jobs table for the one row `where` finds (a producer message's job id is the consumer's to choose). */
async function jobWhere(where: string, params: unknown[], statuses: JobJson["status"][]): Promise<JobJson> {
  const until = Date.now() + 15_000;
  for (;;) {
    const [row] = await sql().query(`SELECT id::text AS id FROM jobs WHERE ${where}`, params);
    if (row) return waitForJob(String(row.id), statuses);
    if (Date.now() > until) throw new Error(`no job where ${where} ${JSON.stringify(params)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("jobs sent straight to the queue by another producer", () => {
  it("runs a minimal { name, payload } message to succeeded", async () => {
    const product = await createProduct();
    await sendFromOtherWorker({ name: "recompute-product-stats", payload: { productId: product.id } });
    const job = await jobWhere("name = 'recompute-product-stats' AND payload->>'productId' = $1", [product.id], ["succeeded"]);
    expect(job).toMatchObject({ status: "succeeded", attempts: 1, request_id: null });
  });

  it("runs a job once however often it is sent or delivered (its id, or its idempotency key)", async () => {
    const id = crypto.randomUUID();
    const message = { name: "recompute-product-stats", payload: {}, id };
    await sendFromOtherWorker(message);
    await sendFromOtherWorker(message);
    const done = await jobWhere("id = $1", [id], ["succeeded"]);
    await sendFromOtherWorker(message); // after it finished: acknowledged, not run again
    const key = `order-${crypto.randomUUID()}`;
    await sendFromOtherWorker({ name: "recompute-product-stats", idempotencyKey: key });
    await sendFromOtherWorker({ name: "recompute-product-stats", idempotencyKey: key });
    const keyed = await jobWhere("idempotency_scope = 'queue' AND idempotency_key = $1", [key], ["succeeded"]);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await getJob(id)).attempts).toBe(done.attempts);
    expect(done.attempts).toBe(1);
    const [{ n } = { n: 0 }] = await sql().query("SELECT count(*)::int AS n FROM jobs WHERE idempotency_scope = 'queue' AND idempotency_key = $1", [key]);
    expect(n).toBe(1);
    expect((await getJob(keyed.id)).attempts).toBe(1);
  });

  it("records an unknown name, a refused payload and a garbage body as dead rows, with the reason", async () => {
    const unknown = crypto.randomUUID();
    await sendFromOtherWorker({ name: "no-such-job", payload: {}, id: unknown });
    expect(await jobWhere("id = $1", [unknown], ["dead"])).toMatchObject({ name: "no-such-job", last_error: expect.stringContaining('no job named "no-such-job"') });

    const refused = crypto.randomUUID();
    await sendFromOtherWorker({ name: "notify-webhook", payload: { url: "https://127.0.0.1/hook", event: "x" }, id: refused });
    expect(await jobWhere("id = $1", [refused], ["dead"])).toMatchObject({ last_error: expect.stringContaining("payload.url") });

    const marker = crypto.randomUUID();
    await sendFromOtherWorker({ hello: marker });
    const garbage = await jobWhere("name = '(malformed message)' AND payload::text LIKE $1", [`%${marker}%`], ["dead"]);
    expect(garbage.last_error).toContain("malformed message");
  });

  it("records an envelope whose job has no row as dead, instead of acknowledging it away", async () => {
    const jobId = crypto.randomUUID();
    await sendFromOtherWorker({ v: 1, jobId, name: "recompute-product-stats", payload: {}, attempt: 0, requestId: null, enqueuedAt: new Date().toISOString() });
    expect(await jobWhere("id = $1", [jobId], ["dead"])).toMatchObject({ name: "recompute-product-stats", last_error: expect.stringContaining("no row") });
  });
});

describe("a producer message delivered twice (the same message id)", () => {
  it("is one job, run once: the second delivery is acknowledged without running", async () => {
    const product = await createProduct();
    const message = { id: crypto.randomUUID(), timestamp: new Date(), attempts: 1, body: { name: "recompute-product-stats", payload: { productId: product.id } } };
    const deliver = async () => {
      const batch = createMessageBatch("edgekit-jobs", [message]);
      const ctx = createExecutionContext();
      await worker.queue(batch, env, ctx);
      return getQueueResult(batch, ctx);
    };
    const first = await deliver();
    const second = await deliver();
    expect([first.explicitAcks, second.explicitAcks]).toEqual([[message.id], [message.id]]);
    const rows = await sql().query("SELECT status, attempts FROM jobs WHERE payload->>'productId' = $1", [product.id]);
    expect(rows).toEqual([{ status: "succeeded", attempts: 1 }]);
  });
});
