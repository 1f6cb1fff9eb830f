import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "../../tools/stack/start-stack.ts";

// The local stack as tools and tests drive it: the printed environment works, and the
// control endpoint really stops, slows and fails each server.
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ databaseUrl: process.env.DATABASE_URL || undefined, redisUrl: process.env.REDIS_URL || undefined });
});

afterAll(async () => {
  await stack.close();
});

const control = (path: string, body?: unknown) =>
  fetch(`${stack.controlUrl}${path}`, body === undefined ? {} : { method: "POST", body: JSON.stringify(body) });
const reviews = () => fetch(`${stack.env.REVIEWS_API_URL}/products/abc/reviews`);

describe("local stack control", () => {
  it("lists every server", async () => {
    const state = (await (await control("")).json()) as Record<string, { running: boolean }>;
    expect(Object.keys(state).sort()).toEqual(["neon", "redis", "reviews"]);
    expect(Object.values(state).every((server) => server.running)).toBe(true);
  });

  it("stops a server for real (connection refused) and starts it on the same port", async () => {
    expect((await reviews()).status).toBe(200);
    await control("/reviews/stop", {});
    await expect(reviews()).rejects.toThrow();
    await control("/reviews/start", {});
    expect((await reviews()).status).toBe(200);
  });

  it("slows a server, and counts callers that gave up waiting", async () => {
    await control("/reviews/reset", {});
    await control("/reviews/faults", { delayMs: 300 });
    await expect(fetch(`${stack.env.REVIEWS_API_URL}/products/abc/reviews`, { signal: AbortSignal.timeout(50) })).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const state = (await (await control("/reviews")).json()) as { stats: { aborted: number } };
    expect(state.stats.aborted).toBe(1);
    await control("/reviews/reset", {});
  });

  it("fails a share of requests with 503", async () => {
    await control("/reviews/faults", { failureRate: 1 });
    expect((await reviews()).status).toBe(503);
    await control("/reviews/reset", {});
    expect((await reviews()).status).toBe(200);
  });

  it("refuses bad fault settings", async () => {
    expect((await control("/reviews/faults", { failureRate: 2 })).status).toBe(400);
    expect((await control("/nope/stop", {})).status).toBe(404);
  });

  it("serves deterministic reviews", async () => {
    const first = await (await reviews()).json();
    expect(await (await reviews()).json()).toEqual(first);
    expect(first).toMatchObject({ productId: "abc", reviews: expect.any(Array) });
  });
});
