import { describe, expect, it } from "vitest";
import { UserRepository } from "../../src/data/users";
import { ANONYMOUS, api, createProduct, expectProblem, sendJson, uniqueName, type ProductJson } from "./helpers";
import { postJob, sql } from "./jobs-helpers";
import { uniqueTopic } from "./events-helpers";

/** JSON text nested `depth` levels deep (built as text: no recursion on our side either). */
const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
const postRaw = (path: string, body: string) => api(path, { method: "POST", headers: { "Content-Type": "application/json" }, body });
const fields = (problem: { errors?: { field: string }[] }) => problem.errors?.map((e) => e.field);

describe("hostile input gets a 4xx, never a 5xx or a stall", () => {
  it("refuses NUL and unpaired surrogates in any text field, naming the field", async () => {
    for (const name of ["nul\u0000byte", "lone \ud800 surrogate", "\udc00"]) {
      expect(fields(await expectProblem(await sendJson("POST", "/products", { name, price_cents: 1 }), 400))).toEqual(["name"]);
      expect(fields(await expectProblem(await sendJson("POST", "/users", { email: `u-${crypto.randomUUID()}@example.com`, name }), 400))).toEqual(["name"]);
    }
    const product = await createProduct();
    expect(fields(await expectProblem(await sendJson("PATCH", `/products/${product.id}`, { name: "a\u0000" }), 400))).toEqual(["name"]);
    // Anywhere in a free-form body too: a job payload, an event's data, even a key.
    const job = await postJob({ name: "notify-webhook", payload: { url: "https://example.com/hook", event: "x", data: { note: "\u0000" } } });
    expect(fields(await expectProblem(job, 400))).toEqual(["payload.data.note"]);
    expect(fields(await expectProblem(await sendJson("POST", `/events/${uniqueTopic()}`, { type: "t", data: { ["k\u0000"]: 1 } }), 400))).toEqual(["data.(key)"]);
    // A well-formed pair is fine.
    expect((await sendJson("POST", "/products", { name: `${uniqueName()} \ud83d\ude00`, price_cents: 1 })).status).toBe(201);
  });

  it("refuses bodies nested past 32 levels before parsing them: events, jobs, anything", async () => {
    const deepEvent = await expectProblem(await postRaw(`/events/${uniqueTopic()}`, `{"type":"t","data":${nested(5_000)}}`), 400);
    expect(deepEvent.errors?.[0]).toMatchObject({ in: "body", field: "(root)", message: expect.stringContaining("nested deeper than 32") });
    await expectProblem(await postRaw("/jobs", `{"name":"recompute-product-stats","payload":${nested(10_000)}}`), 400);
    // Brackets inside strings do not count.
    expect((await sendJson("POST", "/products", { name: `${uniqueName()} ${"[{".repeat(40)}`, price_cents: 1 })).status).toBe(201);
    // And nothing stalled meanwhile.
    expect((await api("/health/ready")).status).toBe(200);
  });

  it("accepts only cursors it issued: forged, edited or year-0 cursors are 400, never a SQL error", async () => {
    await createProduct();
    await createProduct();
    const page = await (await api("/products?limit=1", {}, ANONYMOUS)).json<{ items: ProductJson[]; nextCursor: string }>();
    expect((await api(`/products?limit=1&cursor=${page.nextCursor}`, {}, ANONYMOUS)).status).toBe(200);
    const forged = [
      btoa(JSON.stringify({ createdAt: "0000-01-01T00:00:00.000Z", id: crypto.randomUUID() })).replace(/=+$/, ""),
      btoa(JSON.stringify({ createdAt: "2026-01-01T00:00:00.000Z", id: crypto.randomUUID(), extra: 1 })).replace(/=+$/, ""),
      `${btoa(`0000-01-01T00:00:00.000Z|${crypto.randomUUID()}`).replace(/=+$/, "")}.${page.nextCursor.split(".")[1]}`,
      page.nextCursor.replace(/.(.{4})$/, (_, tail: string) => `${page.nextCursor.at(-5) === "A" ? "B" : "A"}${tail}`), // one tag bit
      page.nextCursor.replace(/.$/, (ch) => String.fromCharCode(ch.charCodeAt(0) ^ 1)), // only padding bits: not how we spell it
      `${page.nextCursor}.x`,
    ];
    for (const cursor of forged) {
      const problem = await expectProblem(await api(`/products?limit=1&cursor=${encodeURIComponent(cursor)}`, {}, ANONYMOUS), 400);
      expect(fields(problem)).toEqual(["cursor"]);
      await expectProblem(await api(`/jobs?cursor=${encodeURIComponent(cursor)}`), 400);
    }
  });

  it("treats an upper-case id as the same product: no stale copy survives a write", async () => {
    const product = await createProduct({ stock: 1 });
    const upper = product.id.toUpperCase();
    expect((await api(`/products/${upper}`, {}, ANONYMOUS)).status).toBe(200);
    await sendJson("PATCH", `/products/${product.id}`, { stock: 7 });
    expect(await (await api(`/products/${upper}`, {}, ANONYMOUS)).json()).toMatchObject({ id: product.id, stock: 7 });
    expect((await api(`/products/${upper}`, { method: "DELETE" })).status).toBe(204);
    await expectProblem(await api(`/products/${upper}`, {}, ANONYMOUS), 404);
    await expectProblem(await api(`/products/${product.id}`, {}, ANONYMOUS), 404);
  });

  it("refuses invalidation patterns that are long, wildcard-heavy or malformed", async () => {
    const invalidate = (pattern: string) => sendJson("POST", "/cache/invalidate", { pattern });
    for (const pattern of ["[z-a]", "*****!", "a*b*c*d*e*", "[abc", "x\\", "[]", "x".repeat(101)]) {
      const problem = await expectProblem(await invalidate(pattern), 400);
      expect(JSON.stringify(problem.errors)).toContain("pattern");
    }
    expect((await invalidate("product:*")).status).toBe(200);
    expect((await invalidate("product:[a-f]*")).status).toBe(200);
  });

  it("refuses event types with line breaks (they would forge SSE frames)", async () => {
    for (const type of ["a\nid: 999", "a\r\nevent: x", "two words", ""]) {
      const problem = await expectProblem(await sendJson("POST", `/events/${uniqueTopic()}`, { type, data: {} }), 400);
      expect(fields(problem)).toEqual(["type"]);
    }
  });

  it("keeps /users-dict bounded: the newest users only, and says when it cut", async () => {
    for (let i = 0; i < 3; i++) await sendJson("POST", "/users", { email: `d-${crypto.randomUUID()}@example.com`, name: `D${String(i)}` });
    const cut = await new UserRepository(sql()).directory(2);
    expect(Object.keys(cut.names)).toHaveLength(2);
    expect(cut.truncated).toBe(true);
    const response = await api("/users-dict");
    expect(response.status).toBe(200);
    expect(Object.keys(await response.json()).length).toBeLessThanOrEqual(1_000);
  });
});
