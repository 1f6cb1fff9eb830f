import { describe, expect, it } from "vitest";
import { ANONYMOUS, api, apiWithEnv, createProduct, TEST_KEY } from "./helpers";
import { captureLogs } from "./log-capture";

describe("response headers", () => {
  it("carry Hono's secure headers on every answer: success, error, stream", async () => {
    const product = await createProduct();
    const answers = [
      await api(`/products/${product.id}`, {}, ANONYMOUS),
      await api("/nope", {}, ANONYMOUS),
      await api("/events/products", { headers: { Accept: "text/event-stream" } }, ANONYMOUS),
    ];
    for (const response of answers) {
      expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
      expect(response.headers.get("X-Frame-Options")).toBe("DENY");
      expect(response.headers.get("Referrer-Policy")).toBe("no-referrer");
      expect(response.headers.get("Strict-Transport-Security")).toMatch(/^max-age=/);
    }
    await answers[2]?.body?.cancel();
  });

  it("mark every answer to a request with a credential no-store, and admin answers too", async () => {
    const product = await createProduct();
    expect((await api(`/products/${product.id}`, {}, TEST_KEY)).headers.get("Cache-Control")).toBe("no-store");
    expect((await api("/admin/breakers")).headers.get("Cache-Control")).toBe("no-store");
    expect((await api("/admin/breakers", {}, ANONYMOUS)).headers.get("Cache-Control")).toBe("no-store"); // the 401
  });

  it("give no cross-origin access by default, and exactly the listed origins when CORS_ORIGINS is set", async () => {
    const preflight = (origin: string, overrides = {}) =>
      apiWithEnv(overrides, "/products", { method: "OPTIONS", headers: { Origin: origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type" } }, ANONYMOUS);
    expect((await preflight("https://app.example.com")).headers.get("Access-Control-Allow-Origin")).toBeNull();
    const cors = { CORS_ORIGINS: "https://app.example.com, https://admin.example.com" };
    const allowed = await preflight("https://app.example.com", cors);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get("Access-Control-Allow-Origin")).toBe("https://app.example.com");
    expect(allowed.headers.get("Access-Control-Allow-Headers")?.toLowerCase()).toContain("authorization");
    expect(allowed.headers.get("Access-Control-Allow-Credentials")).toBeNull();
    expect((await preflight("https://evil.example", cors)).headers.get("Access-Control-Allow-Origin")).toBeNull();
    const read = await apiWithEnv(cors, "/products?limit=1", { headers: { Origin: "https://admin.example.com" } }, ANONYMOUS);
    expect(read.headers.get("Access-Control-Allow-Origin")).toBe("https://admin.example.com");
    expect(read.headers.get("Access-Control-Expose-Headers")).toContain("RateLimit");
  });
});

describe("request logs and credentials", () => {
  const logs = captureLogs();

  it("log the caller's key by its visible prefix only, and a client's request id beside the server's", async () => {
    const response = await api("/users?limit=1", { headers: { "X-Request-Id": "client-trace-1" } });
    const line = logs.logged().find((entry) => entry.msg === "request");
    expect(line).toMatchObject({ requestId: response.headers.get("X-Request-Id"), clientRequestId: "client-trace-1", principal: TEST_KEY.slice(0, 11) });
    expect(logs.lines().join("\n")).not.toContain(TEST_KEY);
  });
});
