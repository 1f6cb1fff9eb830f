import { describe, expect, it } from "vitest";
import { ANONYMOUS, api, createProduct, expectProblem, sendJson, uniqueName, type ProductJson } from "./helpers";

describe("POST /products", () => {
  it("creates a product: 201, Location, and the stored fields", async () => {
    const name = uniqueName();
    const response = await sendJson("POST", "/products", { name, price_cents: 2490, stock: 7 });
    expect(response.status).toBe(201);
    const product = await response.json<ProductJson>();
    expect(product).toMatchObject({ name, price_cents: 2490, stock: 7 });
    expect(product.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(product.created_at)).not.toBeNaN();
    expect(response.headers.get("Location")).toBe(`/products/${product.id}`);

    const fetched = await api(`/products/${product.id}`);
    expect(await fetched.json()).toMatchObject(product);
  });

  it("defaults stock to 0", async () => {
    const response = await sendJson("POST", "/products", { name: uniqueName(), price_cents: 1 });
    expect(await response.json()).toMatchObject({ stock: 0 });
  });

  it("answers 400 naming every failing field", async () => {
    const response = await sendJson("POST", "/products", { name: "", price_cents: -5, stock: 1.5 });
    const problem = await expectProblem(response, 400);
    expect(problem.type).toBe("urn:edgekit:problem:validation");
    expect(problem.errors?.map((e) => e.field).sort()).toEqual(["name", "price_cents", "stock"]);
    expect(problem.errors?.every((e) => e.in === "body")).toBe(true);
  });

  it("answers 400 for a missing field, a wrong type and an unknown field", async () => {
    const response = await sendJson("POST", "/products", { price_cents: "12", colour: "red" });
    const fields = (await expectProblem(response, 400)).errors?.map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(["name", "price_cents", "colour"]));
  });

  it("answers 400 for malformed JSON", async () => {
    const response = await api("/products", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: '{"name": "x",',
    });
    const problem = await expectProblem(response, 400);
    expect(problem).toMatchObject({ title: "Bad Request", detail: "Malformed JSON in request body" });
  });

  it("answers 415 when the body is not sent as JSON", async () => {
    const response = await api("/products", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "name=x",
    });
    expect((await expectProblem(response, 415)).title).toBe("Unsupported Media Type");
  });

  it("answers 409 when the name is taken, and writes nothing", async () => {
    const existing = await createProduct();
    const response = await sendJson("POST", "/products", { name: existing.name, price_cents: 1 });
    const problem = await expectProblem(response, 409);
    expect(problem.detail).toContain(existing.name);
  });

  it("answers 413 for a body over the limit, before parsing it", async () => {
    const response = await sendJson("POST", "/products", { name: "x".repeat(70_000), price_cents: 1 });
    await expectProblem(response, 413);
  });
});

describe("GET /products/{id}", () => {
  it("answers 404 for an unknown id", async () => {
    const response = await api(`/products/${crypto.randomUUID()}`);
    expect((await expectProblem(response, 404)).title).toBe("Not Found");
  });

  it("answers 400 for an id that is not a UUID", async () => {
    const problem = await expectProblem(await api("/products/42"), 400);
    expect(problem.errors).toEqual([expect.objectContaining({ in: "path", field: "id" })]);
  });
});

describe("GET /products", () => {
  it("pages newest first by cursor, without gaps or repeats", async () => {
    const created: ProductJson[] = [];
    for (let i = 0; i < 5; i++) created.push(await createProduct({ name: uniqueName(`page-${i}`) }));
    const ours = new Set(created.map((p) => p.id));

    // Other tests insert concurrently, so walk pages until all of ours have been seen.
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 50 && seen.filter((id) => ours.has(id)).length < ours.size; page++) {
      const query: string = cursor ? `?limit=2&cursor=${cursor}` : "?limit=2";
      const response = await api(`/products${query}`);
      expect(response.status).toBe(200);
      const body = await response.json<{ items: ProductJson[]; nextCursor: string | null }>();
      expect(body.items.length).toBeLessThanOrEqual(2);
      seen.push(...body.items.map((p) => p.id));
      cursor = body.nextCursor;
      if (!cursor) break;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter((id) => ours.has(id))).toEqual(created.map((p) => p.id).reverse());
  });

  it("defaults to 20 items and ends with a null cursor", async () => {
    const body = await (await api("/products")).json<{ items: unknown[]; nextCursor: string | null }>();
    expect(body.items.length).toBeLessThanOrEqual(20);
    if (body.items.length < 20) expect(body.nextCursor).toBeNull();
  });

  it("refuses a page size over the maximum", async () => {
    const problem = await expectProblem(await api("/products?limit=101"), 400);
    expect(problem.errors?.[0]).toMatchObject({ in: "query", field: "limit" });
  });

  it("refuses a cursor it did not issue", async () => {
    const problem = await expectProblem(await api("/products?cursor=not-a-cursor"), 400);
    expect(problem.errors?.[0]).toMatchObject({ in: "query", field: "cursor" });
  });
});

describe("PATCH /products/{id}", () => {
  it("changes only the given fields and moves updated_at", async () => {
    const product = await createProduct({ price_cents: 100, stock: 1 });
    const response = await sendJson("PATCH", `/products/${product.id}`, { stock: 9 });
    expect(response.status).toBe(200);
    const updated = await response.json<ProductJson>();
    expect(updated).toMatchObject({ id: product.id, name: product.name, price_cents: 100, stock: 9 });
    expect(Date.parse(updated.updated_at)).toBeGreaterThanOrEqual(Date.parse(product.updated_at));
    expect(updated.created_at).toBe(product.created_at);
  });

  it("refuses an empty change", async () => {
    const product = await createProduct();
    await expectProblem(await sendJson("PATCH", `/products/${product.id}`, {}), 400);
  });

  it("answers 404 for an unknown id", async () => {
    await expectProblem(await sendJson("PATCH", `/products/${crypto.randomUUID()}`, { stock: 1 }), 404);
  });

  it("answers 409 when renaming onto a taken name, and leaves the product as it was", async () => {
    const [a, b] = [await createProduct(), await createProduct()];
    await expectProblem(await sendJson("PATCH", `/products/${b.id}`, { name: a.name }), 409);
    expect(await (await api(`/products/${b.id}`)).json()).toMatchObject(b);
  });
});

describe("DELETE /products/{id}", () => {
  it("deletes: 204, then 404", async () => {
    const product = await createProduct();
    const response = await api(`/products/${product.id}`, { method: "DELETE" });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
    await expectProblem(await api(`/products/${product.id}`), 404);
    await expectProblem(await api(`/products/${product.id}`, { method: "DELETE" }), 404);
  });
});

describe("HTTP caching", () => {
  it("sends an ETag and Cache-Control, and answers 304 to a matching If-None-Match", async () => {
    const product = await createProduct();
    // Public reads: an answer to a request with a key is never stored (no-store, below).
    const first = await api(`/products/${product.id}`, {}, ANONYMOUS);
    const tag = first.headers.get("ETag");
    // The SHA-1 of the body, so any change to what is sent changes the tag.
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-1", await first.arrayBuffer()));
    expect(tag).toBe(`"${Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("")}"`);
    expect(first.headers.get("Cache-Control")).toBe("public, max-age=0, must-revalidate");
    const keyed = await api(`/products/${product.id}`);
    expect(keyed.headers.get("Cache-Control")).toBe("no-store");
    const again = await api(`/products/${product.id}`, { headers: { "If-None-Match": tag! } }, ANONYMOUS);
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    expect(again.headers.get("ETag")).toBe(tag);
  });

  it("changes the ETag when the product changes", async () => {
    const product = await createProduct();
    const before = (await api(`/products/${product.id}`)).headers.get("ETag");
    await sendJson("PATCH", `/products/${product.id}`, { stock: 99 });
    const after = await api(`/products/${product.id}`, { headers: { "If-None-Match": before! } });
    expect(after.status).toBe(200);
    expect(after.headers.get("ETag")).not.toBe(before);
  });

  it("does not cache errors or writes", async () => {
    const missing = await api(`/products/${crypto.randomUUID()}`, {}, ANONYMOUS);
    expect(missing.headers.get("Cache-Control")).toBeNull();
    const created = await sendJson("POST", "/products", { name: uniqueName(), price_cents: 1 });
    expect(created.headers.get("ETag")).toBeNull();
  });
});
