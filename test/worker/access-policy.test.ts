import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { accessFrom, type SecurityRequirement } from "../../src/auth/access";
import { SCOPES } from "../../src/auth/scopes";
import { ANONYMOUS, api, createKey, type Caller } from "./helpers";

interface Operation {
  method: string;
  path: string;
  security?: SecurityRequirement[];
}

/** Every operation of the OpenAPI document, as /openapi.json publishes it. */
async function documentedOperations(): Promise<Operation[]> {
  const document = await (await api("/openapi.json", {}, ANONYMOUS)).json<{ paths: Record<string, Record<string, { security?: SecurityRequirement[] }>> }>();
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ method: method.toUpperCase(), path, security: operation.security })),
  );
}

/** A concrete request for an operation: ids made up, bodies empty (validation comes after access). */
function requestFor({ method, path }: Operation, as: Caller): Promise<Response> {
  const url = path
    .replace("{id}", crypto.randomUUID())
    .replace("{topic}", "jobs")
    .replace("{name}", "webhooks")
    .replace("{action}", "reset");
  const body = method === "GET" || method === "DELETE" ? undefined : "{}";
  return api(url, { method, headers: body ? { "Content-Type": "application/json" } : {}, body }, as);
}

describe("access policy", () => {
  it("every route in the app's route table declares its access rule in its OpenAPI definition", async () => {
    const app = createApp();
    const documented = new Map((await documentedOperations()).map((op) => [`${op.method} ${op.path}`, op]));
    const routes = app.routes.filter((route) => route.method !== "ALL").map((route) => `${route.method} ${route.path.replace(/:(\w+)/g, "{$1}")}`);
    expect(routes.length).toBeGreaterThan(30);
    const undeclared = [...new Set(routes)].filter((route) => accessFrom(documented.get(route)?.security) === undefined);
    expect(undeclared).toEqual([]);
  });

  it("refuses a route added without an access rule (fails closed, 500), even to the break-glass token", async () => {
    const app = createApp();
    app.get("/undeclared", (c) => c.text("should never be reached"));
    const ctx = createExecutionContext();
    const response = await app.fetch(new Request("https://edgekit.test/undeclared", { headers: { Authorization: "Bearer test-admin-token" } }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect(response.status).toBe(500);
    expect(await response.text()).not.toContain("should never be reached");
  });

  it("enforces what each operation declares: 401 without a key, 403 with another scope, through with the scope", async () => {
    const keys = Object.fromEntries(await Promise.all(SCOPES.map(async (scope) => [scope, (await createKey([scope])).key] as const)));
    const checked: string[] = [];
    for (const operation of await documentedOperations()) {
      const access = accessFrom(operation.security);
      const name = `${operation.method} ${operation.path}`;
      if (!access) throw new Error(`${name} declares no access rule`);
      if (access.kind === "public") {
        expect([401, 403], name).not.toContain((await requestFor(operation, ANONYMOUS)).status);
        checked.push(name);
        continue;
      }
      const other = SCOPES.find((scope) => scope !== access.scope && scope !== "admin") ?? "users:read";
      // `optional` routes decide per resource; their resource here is the private jobs topic.
      expect((await requestFor(operation, ANONYMOUS)).status, `${name} anonymous`).toBe(401);
      expect((await requestFor(operation, keys[other] ?? "")).status, `${name} as ${other}`).toBe(403);
      expect([401, 403], `${name} as ${access.scope}`).not.toContain((await requestFor(operation, keys[access.scope] ?? "")).status);
      checked.push(name);
    }
    expect(checked.length).toBeGreaterThan(30);
  });

  it("is, route by route, the policy the README states (a change of policy shows up here)", async () => {
    const policy = Object.fromEntries(
      (await documentedOperations()).map((op) => {
        const access = accessFrom(op.security);
        return [`${op.method} ${op.path}`, access?.kind === "public" ? "public" : access?.kind === "optional" ? `${access.scope} unless public` : access?.scope];
      }),
    );
    expect(policy).toEqual({
      "GET /health": "public",
      "GET /health/ready": "public",
      "GET /openapi.json": "public",
      "GET /docs": "public",
      // The console's page holds no data; everything it shows comes from the snapshot (admin).
      "GET /console": "public",
      "GET /console/snapshot": "admin",
      // The catalogue: public reads, keyed writes.
      "GET /products": "public",
      "GET /products/export": "public",
      "POST /products/batch": "public",
      "GET /products/{id}": "public",
      "POST /products": "products:write",
      "PATCH /products/{id}": "products:write",
      "DELETE /products/{id}": "products:write",
      // Users are personal data: reading them is a scope too.
      "GET /users": "users:read",
      "GET /users/{id}": "users:read",
      "GET /users/export": "users:read",
      "GET /users-dict": "users:read",
      "POST /users": "users:write",
      "POST /users/batch": "users:write",
      "PATCH /users/{id}": "users:write",
      "DELETE /users/{id}": "users:write",
      "POST /jobs": "jobs:write",
      "POST /jobs/{id}/retry": "jobs:write",
      "POST /imports": "jobs:write",
      "GET /jobs": "jobs:read",
      "GET /jobs/{id}": "jobs:read",
      "POST /events/{topic}": "events:publish",
      "GET /events/{topic}": "events:subscribe unless public",
      "GET /events/{topic}/stats": "events:subscribe unless public",
      "GET /admin/breakers": "admin",
      "POST /admin/breakers/{name}/{action}": "admin",
      "POST /admin/keys": "admin",
      "GET /admin/keys": "admin",
      "GET /admin/keys/{id}": "admin",
      "POST /admin/keys/{id}/revoke": "admin",
      "POST /cache/invalidate": "admin",
      "GET /cache/stats": "admin",
      "GET /metrics": "admin",
      "GET /admin/slow-queries": "admin",
      "GET /admin/alerts": "admin",
    });
  });

  it("documents the scopes in /openapi.json, as security requirements", async () => {
    const operations = await documentedOperations();
    const find = (method: string, path: string) => operations.find((op) => op.method === method && op.path === path);
    expect(find("GET", "/products/{id}")?.security).toEqual([]);
    expect(find("POST", "/products")?.security).toEqual([{ apiKey: ["products:write"] }, { apiKeyHeader: ["products:write"] }]);
    expect(find("GET", "/users")?.security).toEqual([{ apiKey: ["users:read"] }, { apiKeyHeader: ["users:read"] }]);
    expect(find("GET", "/events/{topic}")?.security).toEqual([{}, { apiKey: ["events:subscribe"] }, { apiKeyHeader: ["events:subscribe"] }]);
  });
});
