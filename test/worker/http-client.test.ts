import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { isDependencyUnavailableError } from "../../src/dependencies/errors";
import type { Bindings } from "../../src/env";
import { isOutboundUrlRefusedError, isRequestTargetError, isResponseTooLargeError, isUpstreamShapeError } from "../../src/http/errors";
import { isHttpStatusError } from "../../src/resilience";
import { apiWithEnv, createProduct } from "./helpers";
import { newInbox, recorded, recordings, resetBreaker, resetUpstreams, reviewsClient, testScope, upstreams } from "./http-client-helpers";

// The resilient HTTP client against the stack's fake upstream (tools/reviews/server.ts):
// its `/echo` route answers what it received, and every request under `/recorded/{inbox}`
// is recorded there, so each test reads what really went over the wire.

const Echo = z.object({
  instance: z.string(),
  method: z.string(),
  path: z.string(),
  query: z.string(),
  params: z.array(z.tuple([z.string(), z.string()])),
  headers: z.record(z.string(), z.string()),
  body: z.string(),
});

afterEach(resetUpstreams);

async function setup(options: { headers?: Record<string, string> } = {}) {
  const { one } = await upstreams();
  const inbox = newInbox();
  const { scope } = testScope();
  const client = reviewsClient(scope, { baseUrls: [recorded(one, inbox)], ...options });
  return { client, inbox, one };
}

const failure = (promise: Promise<unknown>): Promise<unknown> => promise.then(() => undefined, (error: unknown) => error);

describe("ResilientHttpClient: every method, typed", () => {
  it("GET validates the JSON answer with the schema", async () => {
    const { client } = await setup();
    const echo = await client.get("/echo/items", Echo);
    expect(echo).toMatchObject({ method: "GET", path: "/echo/items", body: "" });
    expect(echo.headers.accept).toBe("application/json");
  });

  it("HEAD and OPTIONS answer their status and headers", async () => {
    const { client, inbox } = await setup();
    const head = await client.head("/echo/items");
    expect(head.status).toBe(200);
    expect(head.headers.get("X-Echo-Method")).toBe("HEAD");
    const options = await client.options("/echo/items");
    expect(options.status).toBe(204);
    expect(options.headers.get("Allow")).toBe("GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
    expect((await recordings(inbox)).map((r) => r.method)).toEqual(["HEAD", "OPTIONS"]);
  });

  it("POST, PUT, PATCH and DELETE send JSON (with its Content-Type) and read a typed answer", async () => {
    const { client } = await setup();
    const payload = { name: "kettle", tags: ["a", "b"] };
    const answers = [
      await client.post("/echo/items", { json: payload, schema: Echo }),
      await client.put("/echo/items/1", { json: payload, schema: Echo }),
      await client.patch("/echo/items/1", { json: payload, schema: Echo }),
      await client.delete("/echo/items/1", { json: payload, schema: Echo }),
    ];
    expect(answers.map((a) => [a.method, a.path])).toEqual([
      ["POST", "/echo/items"],
      ["PUT", "/echo/items/1"],
      ["PATCH", "/echo/items/1"],
      ["DELETE", "/echo/items/1"],
    ]);
    for (const answer of answers) {
      expect(JSON.parse(answer.body)).toEqual(payload);
      expect(answer.headers["content-type"]).toBe("application/json");
    }
  });

  it("without a schema, a write answers its status and headers; a raw body is sent as it is", async () => {
    const { client, inbox } = await setup();
    const head = await client.post("/echo/raw", { body: "a=1&b=2", headers: { "Content-Type": "application/x-www-form-urlencoded" } });
    expect(head.status).toBe(200);
    expect(head.headers.get("X-Echo-Method")).toBe("POST");
    const [sent] = await recordings(inbox);
    expect(sent?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
  });

  it("a non-2xx answer is an HttpStatusError with its status; a 4xx is not retried", async () => {
    const { client, inbox } = await setup();
    const error = await failure(client.get("/echo/x?status=404", Echo));
    expect(isHttpStatusError(error) && error.status).toBe(404);
    expect(await recordings(inbox)).toHaveLength(1);
  });

  it("an answer of the wrong shape is an UpstreamShapeError", async () => {
    const { client } = await setup();
    expect(isUpstreamShapeError(await failure(client.get("/echo/x", z.object({ reviews: z.array(z.string()) }))))).toBe(true);
  });

  it("reads at most maxBytes of a body (1 MiB unless told): more is a ResponseTooLargeError", async () => {
    const { client } = await setup();
    expect(isResponseTooLargeError(await failure(client.get("/stream?bytes=1200000", z.unknown())))).toBe(true);
    expect(isResponseTooLargeError(await failure(client.get("/echo/x", Echo, { maxBytes: 10 })))).toBe(true);
  });
});

describe("query parameters", () => {
  it("are encoded from a typed record: arrays repeat the name, undefined is left out, after the path's own query", async () => {
    const { client } = await setup();
    const echo = await client.get("/echo/search?fixed=a%20b", Echo, {
      query: { q: "red & blue=1+2?#/%", tag: ["x", "y"], page: 2, draft: undefined, exact: true },
    });
    expect(echo.params).toEqual([
      ["fixed", "a b"],
      ["q", "red & blue=1+2?#/%"],
      ["tag", "x"],
      ["tag", "y"],
      ["page", "2"],
      ["exact", "true"],
    ]);
    expect(echo.query).toBe("?fixed=a%20b&q=red+%26+blue%3D1%2B2%3F%23%2F%25&tag=x&tag=y&page=2&exact=true");
  });
});

describe("default headers", () => {
  it("go with every request, and a call's own headers win over them", async () => {
    const { client, inbox } = await setup({ headers: { Authorization: "Bearer client-key", "X-Client": "edgekit" } });
    await client.get("/echo/a", Echo);
    await client.post("/echo/b", { json: {}, headers: { "X-Client": "override" } });
    const [first, second] = await recordings(inbox);
    expect(first?.headers).toMatchObject({ authorization: "Bearer client-key", "x-client": "edgekit" });
    expect(second?.headers).toMatchObject({ authorization: "Bearer client-key", "x-client": "override" });
  });

  it("carry REVIEWS_API_KEY to the reviews service when it is set, and nothing when it is not", async () => {
    const { one } = await upstreams();
    const product = await createProduct();
    const [withKey, withoutKey] = [newInbox(), newInbox()];
    const overrides = (inbox: string, key?: string) => ({ REVIEWS_API_URL: recorded(one, inbox), ...(key ? { REVIEWS_API_KEY: key } : {}) }) as Partial<Bindings>;

    const response = await apiWithEnv(overrides(withKey, "reviews-test-key"), `/products/${product.id}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("X-Degraded")).toBeNull();
    const [sent] = await recordings(withKey);
    expect(sent).toMatchObject({ method: "GET", path: `/products/${product.id}/reviews`, status: 200 });
    expect(sent?.headers.authorization).toBe("Bearer reviews-test-key");

    expect((await apiWithEnv(overrides(withoutKey), `/products/${product.id}`)).status).toBe(200);
    const [plain] = await recordings(withoutKey);
    expect(plain?.headers.authorization).toBeUndefined();
  });
});

describe("retries: idempotent methods only, unless an Idempotency-Key makes a write safe to repeat", () => {
  it("retries GET, PUT and DELETE on a transient answer (503), never POST or PATCH without a key", async () => {
    const { client, inbox } = await setup();
    const attempts = async (send: () => Promise<unknown>) => {
      const before = (await recordings(inbox)).length;
      const error = await failure(send());
      expect(isDependencyUnavailableError(error)).toBe(true);
      return (await recordings(inbox)).length - before;
    };
    // REVIEWS_RETRY_ATTEMPTS is 2. The breaker is reset in between, so it never opens.
    expect(await attempts(() => client.get("/echo/x?status=503", Echo))).toBe(2);
    expect(await attempts(() => client.put("/echo/x?status=503", { json: {} }))).toBe(2);
    await resetBreaker("reviews");
    expect(await attempts(() => client.delete("/echo/x?status=503"))).toBe(2);
    expect(await attempts(() => client.post("/echo/x?status=503", { json: {} }))).toBe(1);
    expect(await attempts(() => client.patch("/echo/x?status=503", { json: {} }))).toBe(1);
    await resetBreaker("reviews");
    expect(await attempts(() => client.post("/echo/x?status=503", { json: {}, idempotencyKey: "order-42" }))).toBe(2);
    const keyed = (await recordings(inbox)).slice(-2);
    expect(keyed.map((r) => r.headers["idempotency-key"])).toEqual(["order-42", "order-42"]);
  });
});

describe("what a request may reach", () => {
  it("a path never leaves its base URL: refused before anything is sent", async () => {
    const { client, inbox } = await setup();
    for (const path of ["../../recordings/x", "%2e%2e/%2e%2e/health", "https://example.com/", "/\\example.com/"]) {
      expect(isRequestTargetError(await failure(client.get(path, Echo))), path).toBe(true);
    }
    expect(await recordings(inbox)).toEqual([]);
  });

  it("with an outbound URL policy, every request's URL passes it first", async () => {
    const { one } = await upstreams();
    const inbox = newInbox();
    const { scope } = testScope();
    const closed = reviewsClient(scope, { baseUrls: [recorded(one, inbox)], urlPolicy: { allowedHosts: [], devAllowedOrigins: [] } });
    const error = await failure(closed.get("/echo/x", Echo));
    expect(isOutboundUrlRefusedError(error) && error.reason).toBe("only https URLs are allowed");
    expect(await recordings(inbox)).toEqual([]);

    const allowed = reviewsClient(scope, { baseUrls: [recorded(one, inbox)], urlPolicy: { allowedHosts: [], devAllowedOrigins: [one] } });
    expect((await allowed.get("/echo/x", Echo)).path).toBe("/echo/x");
  });
});
