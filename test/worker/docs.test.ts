import { describe, expect, it } from "vitest";
import { api } from "./helpers";

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
  components: { schemas: Record<string, unknown> };
}

describe("API documentation", () => {
  it("serves an OpenAPI 3.1 document generated from the route schemas", async () => {
    const response = await api("/openapi.json");
    expect(response.status).toBe(200);
    const doc = await response.json<OpenApiDocument>();
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/health", "/products", "/products/{id}"]));
    expect(Object.keys(doc.paths["/products/{id}"] ?? {}).sort()).toEqual(["delete", "get", "patch"]);
    expect(doc.components.schemas).toHaveProperty("Product");
    expect(doc.components.schemas).toHaveProperty("Problem");
    expect(doc.paths["/products"]?.post?.responses).toHaveProperty("409");
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/jobs", "/jobs/{id}", "/jobs/{id}/retry", "/imports", "/products/export", "/events/{topic}", "/events/{topic}/stats"]));
    expect(doc.components.schemas).toHaveProperty("Job");
  });

  it("serves a docs page that reads the document", async () => {
    const response = await api("/docs");
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toMatch(/text\/html/);
    expect(await response.text()).toContain("/openapi.json");
  });
});
