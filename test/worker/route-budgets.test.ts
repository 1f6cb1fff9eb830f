import { afterEach, describe, expect, inject, it } from "vitest";
import type { Bindings } from "../../src/env";
import { ANONYMOUS, api, apiWithEnv, createProduct, expectProblem, uniqueName } from "./helpers";
import { ADMIN, waitForJob, type JobJson } from "./jobs-helpers";

// The database is really slowed through the stack's control endpoint: every query waits
// DELAY_MS, less than one attempt's deadline (NEON_TIMEOUT_MS, 3000), so only a request's
// budget can cut it short.
const control = (path: string, body: unknown = {}) =>
  fetch(`${inject("controlUrl")}${path}`, { method: "POST", body: JSON.stringify(body) });
const DELAY_MS = 1_200;
/** A short read budget and a generous default one: which one a route gets decides its answer. */
const BUDGETS: Partial<Bindings> = { READ_REQUEST_TIMEOUT_MS: "300", REQUEST_TIMEOUT_MS: "20000" };

afterEach(async () => {
  await control("/neon/reset");
  await api("/admin/breakers/neon/reset", { method: "POST", headers: ADMIN });
});

describe("per-route time budgets", () => {
  it("cuts a read short at the read budget (504 problem) while a route on the default budget waits the slow database out", async () => {
    const id = crypto.randomUUID(); // never cached: the read has to ask the database
    await control("/neon/faults", { delayMs: DELAY_MS });
    const read = await apiWithEnv(BUDGETS, `/products/${id}`, {}, ANONYMOUS);
    const problem = await expectProblem(read, 504);
    expect(problem.type).toMatch(/timeout$/);

    // The same slow query under the default budget (POST /products/batch declares none).
    const batch = await apiWithEnv(
      BUDGETS,
      "/products/batch",
      { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ ids: [id] }) },
      ANONYMOUS,
    );
    expect(batch.status).toBe(200);
    expect(await batch.json()).toEqual({ items: [], missing: [id] });
  });

  it("cuts a page of GET /products short at the read budget too", async () => {
    await createProduct(); // drops every cached page: the next read asks the database
    await control("/neon/faults", { delayMs: DELAY_MS });
    await expectProblem(await apiWithEnv(BUDGETS, "/products?limit=3", {}, ANONYMOUS), 504);
  });

  it("keeps the long budget for an import: the upload is accepted while the database is slower than the other budgets", async () => {
    await control("/neon/faults", { delayMs: DELAY_MS });
    const csv = `name,price_cents\n${uniqueName("budget")},100\n`;
    const response = await apiWithEnv({ READ_REQUEST_TIMEOUT_MS: "300", REQUEST_TIMEOUT_MS: "300" }, "/imports", {
      method: "POST",
      headers: { ...ADMIN, "Content-Type": "text/csv", "Content-Length": String(new TextEncoder().encode(csv).length) },
      body: csv,
    });
    const text = await response.text();
    expect(response.status, text).toBe(202);
    await control("/neon/reset");
    const job = await waitForJob((JSON.parse(text) as JobJson).id, ["succeeded", "dead"], 30_000);
    expect(job.status).toBe("succeeded");
  });

  it("keeps the long budget for the export: its first page streams while the database is slower than the other budgets", async () => {
    const product = await createProduct();
    await control("/neon/faults", { delayMs: DELAY_MS });
    const response = await apiWithEnv({ READ_REQUEST_TIMEOUT_MS: "300", REQUEST_TIMEOUT_MS: "300" }, "/products/export", {}, ANONYMOUS);
    expect(response.status).toBe(200);
    // Newest first: the product just made is on the first page, read while the database is slow.
    const reader = response.body!.getReader();
    const first = await reader.read();
    await reader.cancel();
    const ids = new TextDecoder()
      .decode(first.value)
      .trim()
      .split("\n")
      .map((line) => (JSON.parse(line) as { id: string }).id);
    expect(ids[0]).toBe(product.id);
  });

  it("documents each route's budget in /openapi.json (x-time-budget)", async () => {
    const doc = await (await api("/openapi.json")).json<{ paths: Record<string, Record<string, { "x-time-budget"?: string }>> }>();
    const budgetOf = (path: string, method: string) => doc.paths[path]?.[method]?.["x-time-budget"];
    expect(budgetOf("/products/{id}", "get")).toBe("read");
    expect(budgetOf("/products", "get")).toBe("read");
    expect(budgetOf("/health", "get")).toBe("read");
    expect(budgetOf("/health/ready", "get")).toBe("read");
    expect(budgetOf("/products/export", "get")).toBe("long");
    expect(budgetOf("/imports", "post")).toBe("long");
    expect(budgetOf("/products", "post")).toBeUndefined(); // the default: REQUEST_TIMEOUT_MS
  });
});
