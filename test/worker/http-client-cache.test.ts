import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import type { RequestOptions, ResponseCacheOptions } from "../../src/http/resilient-client";
import { isHttpStatusError } from "../../src/resilience";
import { REDIS_DOWN } from "./helpers";
import { newInbox, recorded, recordings, resetBreaker, resetUpstreams, reviewsClient, sleep, testScope, upstreams } from "./http-client-helpers";

// The client's response cache in Redis (the embedded engine, or real Redis with REDIS_URL),
// against the fake upstream's `/etag/{id}` (ETag "v{n}", If-None-Match → 304, PUT makes a
// new version) and `/echo`. What reached the upstream is read from its recordings.

const Doc = z.object({ id: z.string(), version: z.number(), text: z.string() });
const Echo = z.object({ headers: z.record(z.string(), z.string()) });

afterEach(async () => {
  await resetUpstreams();
  await resetBreaker("redis");
});

async function setup(cache: ResponseCacheOptions, options: { headers?: Record<string, string>; overrides?: Parameters<typeof testScope>[0] } = {}) {
  const { one } = await upstreams();
  const inbox = newInbox();
  const { scope, settle } = testScope(options.overrides);
  const client = reviewsClient(scope, { baseUrls: [recorded(one, inbox)], cache, headers: options.headers });
  /** A GET, then the cache's background write, so the next call sees it. */
  const get = async <T>(path: string, schema: z.ZodType<T>, init: RequestOptions = {}) => {
    const result = await client.request("GET", path, { ...init, schema });
    await settle();
    return result;
  };
  return { client, inbox, get, id: crypto.randomUUID().slice(0, 8) };
}

const statuses = async (inbox: string) => (await recordings(inbox)).map((r) => r.status);

describe("response cache: GET answers in Redis", () => {
  it("serves a fresh entry without asking the upstream", async () => {
    const { get, inbox, id } = await setup({ ttlSeconds: 60 });
    const first = await get(`/etag/${id}`, Doc);
    const second = await get(`/etag/${id}`, Doc);
    expect([first.cache, second.cache]).toEqual(["MISS", "HIT"]);
    expect(second.data).toEqual(first.data);
    expect(second.headers.get("ETag")).toBe('"v1"');
    expect(await statuses(inbox)).toEqual([200]);
  });

  it("revalidates a stale entry with If-None-Match: a 304 serves the stored body and makes it fresh again", async () => {
    const { get, inbox, id } = await setup({ ttlSeconds: 1 });
    expect((await get(`/etag/${id}`, Doc)).cache).toBe("MISS");
    await sleep(1_100); // the entry's TTL (1 s) is over; it is kept to be revalidated
    const revalidated = await get(`/etag/${id}`, Doc);
    expect(revalidated.cache).toBe("REVALIDATED");
    expect(revalidated.data).toMatchObject({ id, version: 1, text: "first" });
    // Fresh again after the 304: the next call does not reach the upstream.
    expect((await get(`/etag/${id}`, Doc)).cache).toBe("HIT");
    const sent = await recordings(inbox);
    expect(sent.map((r) => [r.status, r.headers["if-none-match"]])).toEqual([
      [200, undefined],
      [304, '"v1"'],
    ]);
  });

  it("replaces the entry when the upstream changed: the conditional request gets 200 and the new body", async () => {
    const { client, get, inbox, id } = await setup({ ttlSeconds: 60 });
    // max-age=0 from the upstream: stored, but revalidated on every use.
    expect((await get(`/etag/${id}?maxAge=0`, Doc)).data.version).toBe(1);
    expect((await get(`/etag/${id}?maxAge=0`, Doc)).cache).toBe("REVALIDATED");
    await client.put(`/etag/${id}?maxAge=0`, { json: { text: "second" } });
    const changed = await get(`/etag/${id}?maxAge=0`, Doc);
    expect([changed.cache, changed.data]).toEqual(["MISS", { id, version: 2, text: "second" }]);
    const again = await get(`/etag/${id}?maxAge=0`, Doc);
    expect([again.cache, again.data.version]).toEqual(["REVALIDATED", 2]);
    expect((await recordings(inbox)).map((r) => [r.method, r.status, r.headers["if-none-match"] ?? null])).toEqual([
      ["GET", 200, null],
      ["GET", 304, '"v1"'],
      ["PUT", 200, null],
      ["GET", 200, '"v1"'],
      ["GET", 304, '"v2"'],
    ]);
  });

  it("stores a cacheable error status (404) and answers it again; never no-store, a 503, or other methods", async () => {
    const { client, get, inbox, id } = await setup({ ttlSeconds: 60 });
    for (let i = 0; i < 2; i++) {
      const error = await get("/echo/gone?status=404", Echo).then(() => undefined, (e: unknown) => e);
      expect(isHttpStatusError(error) && error.status).toBe(404);
    }
    expect(await statuses(inbox)).toEqual([404]);

    for (let i = 0; i < 2; i++) expect((await get(`/etag/${id}?cacheControl=no-store`, Doc)).cache).toBe("MISS");
    for (let i = 0; i < 2; i++) await client.head(`/etag/${id}`);
    for (let i = 0; i < 2; i++) await client.post("/echo/write", { json: {} });
    expect(await statuses(inbox)).toEqual([404, 200, 200, 200, 200, 200, 200]);

    // A 503 is transient: retried (REVIEWS_RETRY_ATTEMPTS is 2), never stored.
    for (let i = 0; i < 2; i++) await get("/echo/busy?status=503", Echo).catch(() => undefined);
    expect((await statuses(inbox)).slice(7)).toEqual([503, 503, 503, 503]);
  });

  it("keys by the chosen vary headers, and stores no response that varies on another", async () => {
    const { get, inbox, id } = await setup({ ttlSeconds: 60, vary: ["Accept-Language"] });
    const lang = (value: string) => ({ headers: { "Accept-Language": value } });
    expect((await get(`/etag/${id}`, Doc, lang("fr"))).cache).toBe("MISS");
    expect((await get(`/etag/${id}`, Doc, lang("fr"))).cache).toBe("HIT");
    expect((await get(`/etag/${id}`, Doc, lang("de"))).cache).toBe("MISS");
    expect((await get(`/etag/${id}`, Doc, lang("de"))).cache).toBe("HIT");
    expect((await recordings(inbox)).map((r) => r.headers["accept-language"])).toEqual(["fr", "de"]);

    const other = `${id}-tenant`;
    expect((await get(`/etag/${other}?vary=X-Tenant`, Doc)).cache).toBe("MISS");
    expect((await get(`/etag/${other}?vary=X-Tenant`, Doc)).cache).toBe("MISS");
  });

  it("leaves requests with credentials alone unless the client opts in", async () => {
    const closed = await setup({ ttlSeconds: 60 }, { headers: { Authorization: "Bearer client-key" } });
    for (let i = 0; i < 2; i++) expect((await closed.get(`/etag/${closed.id}`, Doc)).cache).toBeUndefined();
    expect(await statuses(closed.inbox)).toEqual([200, 200]);
    // A credential in the query counts as well.
    const query = await setup({ ttlSeconds: 60 });
    for (let i = 0; i < 2; i++) expect((await query.get(`/etag/${query.id}?api_key=secret`, Doc)).cache).toBeUndefined();
  });

  it("opted in, keys by the credential too: callers with different credentials never share an entry", async () => {
    const { get, inbox, id } = await setup({ ttlSeconds: 60, allowCredentials: true }, { headers: { Authorization: "Bearer key-a" } });
    expect((await get(`/etag/${id}`, Doc)).cache).toBe("MISS");
    expect((await get(`/etag/${id}`, Doc)).cache).toBe("HIT");
    const other = { headers: { Authorization: "Bearer key-b" } };
    expect((await get(`/etag/${id}`, Doc, other)).cache).toBe("MISS");
    expect((await get(`/etag/${id}`, Doc, other)).cache).toBe("HIT");
    expect((await recordings(inbox)).map((r) => r.headers.authorization)).toEqual(["Bearer key-a", "Bearer key-b"]);
  });

  it("goes straight to the upstream when Redis is down (BYPASS), and the call still succeeds", async () => {
    const { get, inbox, id } = await setup({ ttlSeconds: 60 }, { overrides: REDIS_DOWN });
    const result = await get(`/etag/${id}`, Doc);
    expect(result.cache).toBe("BYPASS");
    expect(result.data).toMatchObject({ id, version: 1 });
    expect(await statuses(inbox)).toEqual([200]);
  });

  it("is skipped for a call that says cache: false, and for a caller's own conditional request", async () => {
    const { get, client, inbox, id } = await setup({ ttlSeconds: 60 });
    await get(`/etag/${id}`, Doc);
    expect((await get(`/etag/${id}`, Doc, { cache: false })).cache).toBeUndefined();
    const own = await client.request("GET", `/etag/${id}`, { headers: { "If-None-Match": '"v0"' } });
    expect([own.status, own.cache]).toEqual([200, undefined]);
    expect(await statuses(inbox)).toEqual([200, 200, 200]);
  });
});
