import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ANONYMOUS, api, apiWithEnv, createKey, createProduct, expectProblem, uniqueName, type Caller } from "./helpers";
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import worker from "../../src/index";
import { enqueueUnchecked } from "../../src/jobs/enqueue";
import { ADMIN, getJob, sql, waitForJob, type JobJson } from "./jobs-helpers";
import { IMPORT_BATCH_SIZE } from "../../src/jobs/definitions/import-products";

async function upload(body: string, contentType: string, headers: Record<string, string> = {}): Promise<Response> {
  return api("/imports", { method: "POST", headers: { ...ADMIN, "Content-Type": contentType, ...headers }, body });
}

async function importFile(body: string, contentType: string): Promise<JobJson> {
  const response = await upload(body, contentType);
  const text = await response.text();
  expect(response.status, text).toBe(202);
  const job = JSON.parse(text) as JobJson;
  expect(response.headers.get("Location")).toBe(`/jobs/${job.id}`);
  return waitForJob(job.id, ["succeeded", "dead"], 30_000);
}

describe("POST /imports", () => {
  it("imports a CSV with good and bad rows: exact counts, per-row errors, bad rows never stop it", async () => {
    const existing = await createProduct();
    const prefix = uniqueName("csv");
    const csv = [
      "name,price_cents,stock",
      `${prefix} a,100,1`,
      `"${prefix} b, with a comma",200,`, // stock left out: 0
      `${prefix} c,-5,1`, // invalid price
      `${prefix} d,abc,1`, // invalid price
      `${existing.name},300,1`, // already exists
      `${prefix} a,400,1`, // repeats line 2
      `${prefix} e,1`, // too few fields
      "",
      `"${prefix} f ""quoted""",500,2`,
    ].join("\r\n");
    const job = await importFile(csv, "text/csv");
    expect(job.status).toBe("succeeded");
    expect(job.result).toMatchObject({ records: 8, inserted: 3, duplicates: 2, invalid: 3 });
    const result = job.result as { errors: { line: number; stage: string; error: string }[]; stages: Record<string, unknown> };
    expect(result.errors.map((e) => [e.line, e.stage])).toEqual([
      [4, "validate"],
      [5, "validate"],
      [6, "insert"],
      [7, "insert"],
      [8, "parse"],
    ]);
    expect(result.stages).toEqual({
      validate: { in: 7, out: 5, rejected: 2 },
      enrich: { in: 5, out: 5, rejected: 0 },
      transform: { in: 5, out: 5, rejected: 0 },
    });
    const rows = await sql()`SELECT name, price_cents, stock FROM products WHERE name LIKE ${`${prefix}%`} ORDER BY name`;
    expect(rows).toEqual([
      { name: `${prefix} a`, price_cents: 100, stock: 1 },
      { name: `${prefix} b, with a comma`, price_cents: 200, stock: 0 },
      { name: `${prefix} f "quoted"`, price_cents: 500, stock: 2 },
    ]);
  });

  it("imports NDJSON across several batches, and deletes the file when done", async () => {
    const prefix = uniqueName("ndjson");
    const count = IMPORT_BATCH_SIZE * 2 + 7;
    const lines = Array.from({ length: count }, (_, i) =>
      JSON.stringify(i % 100 === 0 ? { name: `${prefix} ${String(i)}`, price: "12.50" } : { name: `${prefix} ${String(i)}`, price_cents: i, stock: 1 }),
    );
    lines.splice(10, 0, "{not json", "[1,2]");
    const job = await importFile(lines.join("\n"), "application/x-ndjson");
    expect(job.result).toMatchObject({ records: count + 2, inserted: count, duplicates: 0, invalid: 2 });
    const [row] = await sql()`SELECT count(*)::int AS n, sum(price_cents)::int AS cents FROM products WHERE name LIKE ${`${prefix} %`}`;
    const expectedCents = Array.from({ length: count }, (_, i) => (i % 100 === 0 ? 1250 : i)).reduce((a, b) => a + b, 0);
    expect(row).toEqual({ n: count, cents: expectedCents });
    const listed = await env.IMPORTS.list({ prefix: `imports/${job.id}` });
    expect(listed.objects).toEqual([]);
  });

  it("refuses other media types with 415, and files over the limit with 413", async () => {
    await expectProblem(await upload("name\n", "application/json"), 415);
    const body = `name,price_cents\n${"x".repeat(100)},1\n`;
    const big = await apiWithEnv({ IMPORT_MAX_BYTES: "64" }, "/imports", {
      method: "POST",
      headers: { ...ADMIN, "Content-Type": "text/csv", "Content-Length": String(body.length) },
      body,
    });
    await expectProblem(big, 413);
  });

  it("is limited by IMPORT_MAX_BYTES alone: a file over the JSON body limit (MAX_BODY_BYTES) is accepted", async () => {
    const prefix = uniqueName("over-json-limit");
    const body = `name,price_cents\n${prefix} ${"x".repeat(100)},1\n`;
    const headers = { ...ADMIN, "Content-Type": "text/csv", "Content-Length": String(body.length) };
    const accepted = await apiWithEnv({ MAX_BODY_BYTES: "64" }, "/imports", { method: "POST", headers, body });
    expect(accepted.status, await accepted.clone().text()).toBe(202);
    await waitForJob((await accepted.json<JobJson>()).id, ["succeeded", "dead"], 30_000);
    // The same limit still applies to every other route.
    const json = JSON.stringify({ name: "x".repeat(100), price_cents: 1 });
    await expectProblem(await apiWithEnv({ MAX_BODY_BYTES: "64" }, "/products", { method: "POST", headers: { ...ADMIN, "Content-Type": "application/json" }, body: json }), 413);
  });

  it("needs a key with jobs:write: 401 without one, 403 with another scope", async () => {
    const upload = (as: Caller) => api("/imports", { method: "POST", headers: { "Content-Type": "text/csv" }, body: "name\n" }, as);
    await expectProblem(await upload(ANONYMOUS), 401);
    const problem = await expectProblem(await upload((await createKey(["jobs:read"])).key), 403);
    expect(problem).toMatchObject({ type: "urn:edgekit:problem:forbidden", scope: "jobs:write" });
  });
});

describe("import-products after a failure", () => {
  /** A bucket whose files break off after `bytes`, as a dropped connection would. */
  function breakingBucket(bytes: number, breakWhen: () => Promise<boolean>): R2Bucket {
    return new Proxy(env.IMPORTS, {
      get(target, property) {
        if (property === "get") {
          return async (key: string) => {
            const object = await target.get(key);
            if (!object) return null;
            const head = new Uint8Array(await object.arrayBuffer()).slice(0, bytes);
            let sent = false;
            // The bytes at once; the break only once `breakWhen` says so (streams read ahead,
            // and an error would drop what is still buffered).
            const body = new ReadableStream<Uint8Array>(
              {
                async pull(controller) {
                  if (!sent) {
                    sent = true;
                    controller.enqueue(head);
                    return;
                  }
                  const until = Date.now() + 10_000;
                  while (!(await breakWhen()) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
                  controller.error(new Error("connection lost"));
                },
              },
              { highWaterMark: 0 },
            );
            return { body };
          };
        }
        const value: unknown = Reflect.get(target, property);
        return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  async function deliver(job: { id: string; name: string; payload: unknown }, bindings: typeof env, attempts: number) {
    const body = { v: 1, jobId: job.id, name: job.name, payload: job.payload, attempt: 0, requestId: null, enqueuedAt: new Date().toISOString() };
    const batch = createMessageBatch("edgekit-jobs", [{ id: crypto.randomUUID(), timestamp: new Date(), attempts, body }]);
    const ctx = createExecutionContext();
    await worker.queue(batch, bindings, ctx);
    return getQueueResult(batch, ctx);
  }

  it("resumes after the last committed batch: no row twice, exact counts", async () => {
    const prefix = uniqueName("resume");
    const count = IMPORT_BATCH_SIZE * 2 + 10;
    const file = Array.from({ length: count }, (_, i) => JSON.stringify({ name: `${prefix} ${String(i)}`, price_cents: 1 })).join("\n");
    const objectKey = `imports/test-${crypto.randomUUID()}.ndjson`;
    await env.IMPORTS.put(objectKey, file);
    const scope = { env, signal: AbortSignal.timeout(10_000), waitUntil: () => undefined };
    const { job } = await enqueueUnchecked(scope, "import-products", { objectKey, format: "ndjson" }, { delaySeconds: 3_600 });

    // Attempt 1 reads a little past the first batch, then the file breaks off.
    const bytesOfFirstBatch = file.split("\n").slice(0, IMPORT_BATCH_SIZE + 20).join("\n").length;
    const checkpointed = async () => {
      const [row] = await sql()`SELECT progress IS NOT NULL AS saved FROM jobs WHERE id = ${job.id}`;
      return row?.saved === true;
    };
    const first = await deliver(job, { ...env, IMPORTS: breakingBucket(bytesOfFirstBatch, checkpointed) }, 1);
    expect(first.retryMessages).toHaveLength(1);
    const failed = await getJob(job.id);
    expect(failed).toMatchObject({ status: "failed", progress: { line: IMPORT_BATCH_SIZE, inserted: IMPORT_BATCH_SIZE } });
    const [halfway] = await sql()`SELECT count(*)::int AS n FROM products WHERE name LIKE ${`${prefix} %`}`;
    expect(halfway?.n).toBe(IMPORT_BATCH_SIZE);

    // Attempt 2 starts after line 500.
    await deliver(job, env, 2);
    const done = await getJob(job.id);
    expect(done).toMatchObject({ status: "succeeded", attempts: 2, result: { records: count, inserted: count, duplicates: 0, invalid: 0 } });
    const [all] = await sql()`SELECT count(*)::int AS n, count(DISTINCT name)::int AS names FROM products WHERE name LIKE ${`${prefix} %`}`;
    expect(all).toEqual({ n: count, names: count });
  });
});

describe("GET /products/export", () => {
  it("streams every product once, as NDJSON", async () => {
    for (let i = 0; i < 3; i++) await createProduct();
    const response = await api("/products/export");
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toMatch(/^application\/x-ndjson/);
    expect(response.headers.get("ETag")).toBeNull();
    const lines = new TextDecoder().decode(await response.arrayBuffer()).trim().split("\n");
    const ids = lines.map((line) => (JSON.parse(line) as { id: string }).id);
    const [row] = await sql()`SELECT count(*)::int AS n FROM products`;
    expect(ids.length).toBe(row?.n);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
