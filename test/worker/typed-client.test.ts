import { exports } from "cloudflare:workers";
import { hc } from "hono/client";
import { describe, expect, it } from "vitest";
import type { AppType } from "../../src/app";
import { TEST_KEY, uniqueName } from "./helpers";

/** Hono's typed client, pointed at the Worker under test. */
const client = hc<AppType>("https://edgekit.test", {
  fetch: (input: RequestInfo | URL, init?: RequestInit) => exports.default.fetch(new Request(input, init)),
  headers: { Authorization: `Bearer ${TEST_KEY}` },
});

describe("the typed client (hc<AppType>)", () => {
  it("creates, reads and lists products with typed requests and answers", async () => {
    const created = await client.products.$post({ json: { name: uniqueName(), price_cents: 1250, stock: 2 } });
    expect(created.status).toBe(201);
    if (created.status !== 201) return;
    const product = await created.json();
    const read = await client.products[":id"].$get({ param: { id: product.id } });
    expect(read.status).toBe(200);
    if (read.status !== 200) return;
    const body = await read.json();
    expect(body.price_cents).toBe(1250);
    const page = await client.products.$get({ query: { limit: "5" } });
    expect(page.status).toBe(200);
    if (page.status === 200) expect((await page.json()).items.length).toBeGreaterThan(0);
  });

  it("gets the documented problem on a refused request", async () => {
    const response = await client.users.$post({ json: { email: "not-an-email", name: "X" } });
    expect(response.status).toBe(400);
  });
});
