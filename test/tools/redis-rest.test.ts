import { randomUUID } from "node:crypto";
import { Ratelimit } from "@upstash/ratelimit";
import { Redis } from "@upstash/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RedisRestServer } from "../../tools/redis-rest/index.ts";
import { startLocalRedisRest, TOKEN, type LocalRedisRest } from "./local-redis-rest.ts";

// Conformance of the local Upstash server with the real clients, case by case (values,
// errors and scripts, pipelines and transactions, HTTP, ratelimit), on the embedded engine,
// or on the real Redis named by REDIS_URL.
let local: LocalRedisRest;
let server: RedisRestServer;
let redis: Redis;

beforeAll(async () => {
  local = await startLocalRedisRest();
  ({ server, redis } = local);
});

afterAll(() => local.close());

/** A key prefix no other test (or test file sharing the server) uses. */
const ns = () => `conf:${randomUUID()}:`;

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

describe("values", () => {
  it("1: round-trips JSON, strings that look like numbers, unicode and raw bytes", async () => {
    const k = ns();
    await redis.set(`${k}json`, { a: [1, "two"], b: null });
    expect(await redis.get(`${k}json`)).toEqual({ a: [1, "two"], b: null });
    for (const value of ["OK", "0123", "9007199254740993"]) {
      await redis.set(`${k}s`, value);
      expect(await redis.get(`${k}s`)).toBe(value);
    }
    await redis.set(`${k}t`, "true");
    expect(await redis.get(`${k}t`)).toBe(true);
    await redis.set(`${k}n`, "null");
    expect(await redis.get(`${k}n`)).toBeNull();
    await redis.set(`${k}u`, "héllo 🌍 世界");
    expect(await redis.get(`${k}u`)).toBe("héllo 🌍 世界");
    // Bytes that are not UTF-8 (written by a script) come back base64-exact.
    await redis.eval("redis.call('SET', KEYS[1], string.char(255, 0, 65))", [`${k}bin`], []);
    const raw = await post("/", ["GET", `${k}bin`], { "Upstash-Encoding": "base64" });
    expect(await raw.json()).toEqual({ result: "/wBB" });
    expect(await redis.get(`${k}bin`)).toBe("\ufffd\u0000A");
  });

  it("2: nil, and MGET with missing keys", async () => {
    const k = ns();
    expect(await redis.get(`${k}missing`)).toBeNull();
    await redis.set(`${k}a`, "1");
    expect(await redis.mget(`${k}a`, `${k}missing`)).toEqual([1, null]);
  });

  it("3: integers and float bulk strings", async () => {
    const k = ns();
    expect(await redis.incr(`${k}i`)).toBe(1);
    expect(await redis.incrby(`${k}i`, 41)).toBe(42);
    expect(await redis.incrbyfloat(`${k}f`, 10.5)).toBe(10.5);
    expect(await redis.incrbyfloat(`${k}f`, 0.1)).toBe(10.6);
    await redis.zadd(`${k}z`, { score: 1.5, member: "m" });
    expect(await redis.zscore(`${k}z`, "m")).toBe(1.5);
  });

  it("4: ZRANGE WITHSCORES, HGETALL as a flat array, and empty arrays", async () => {
    const k = ns();
    await redis.zadd(`${k}z`, { score: 2, member: "b" }, { score: 1, member: "a" });
    expect(await redis.zrange(`${k}z`, 0, -1, { withScores: true })).toEqual(["a", 1, "b", 2]);
    await redis.hset(`${k}h`, { f1: "v1", f2: 2 });
    const flat = await post("/", ["HGETALL", `${k}h`]);
    expect(await flat.json()).toEqual({ result: ["f1", "v1", "f2", "2"] });
    expect(await redis.hgetall(`${k}h`)).toEqual({ f1: "v1", f2: 2 });
    expect(await redis.smembers(`${k}none`)).toEqual([]);
    expect(await redis.hgetall(`${k}none`)).toBeNull();
  });

  it("5: ex, nx and keepTtl are case-insensitive", async () => {
    const k = ns();
    await redis.set(`${k}a`, "v", { ex: 100 });
    expect(await redis.ttl(`${k}a`)).toBeGreaterThan(95);
    expect(await redis.set(`${k}a`, "w", { nx: true })).toBeNull();
    await redis.set(`${k}a`, "x", { keepTtl: true });
    expect(await redis.ttl(`${k}a`)).toBeGreaterThan(95);
    const upper = await post("/", ["SET", `${k}b`, "v", "PX", 100000, "NX"]);
    expect(await upper.json()).toEqual({ result: "OK" });
    expect(await redis.pttl(`${k}b`)).toBeGreaterThan(95_000);
  });
});

describe("errors and scripts", () => {
  it("6: errors on their own and inside a pipeline", async () => {
    const k = ns();
    await redis.set(`${k}s`, "text");
    await expect(redis.incr(`${k}s`)).rejects.toThrow(/ERR value is not an integer or out of range/);
    const single = await post("/", ["INCR", `${k}s`]);
    expect(single.status).toBe(400);
    expect(await single.json()).toEqual({ error: "ERR value is not an integer or out of range" });
    const pipeline = await post("/pipeline", [["SET", `${k}p`, "1"], ["INCR", `${k}s`], ["INCR", `${k}p`]]);
    expect(pipeline.status).toBe(200);
    expect(await pipeline.json()).toEqual([
      { result: "OK" },
      { error: "ERR value is not an integer or out of range" },
      { result: 2 },
    ]);
    await expect(redis.hget(`${k}s`, "f")).rejects.toThrow(/WRONGTYPE/);
  });

  it("7: Lua reply conversion, status_reply/error_reply, and runtime errors", async () => {
    const nested = await post("/", ["EVAL", "return {1,'two',{3,'four',{}},2.9,false,true}", 0]);
    expect(await nested.json()).toEqual({ result: [1, "two", [3, "four", []], 2, null, 1] });
    expect(await (await post("/", ["EVAL", "return redis.status_reply('FINE')", 0])).json()).toEqual({ result: "FINE" });
    const custom = await post("/", ["EVAL", "return redis.error_reply('MYERR custom')", 0]);
    expect(custom.status).toBe(400);
    expect(await custom.json()).toEqual({ error: "MYERR custom" });
    const k = ns();
    await redis.set(`${k}s`, "text");
    const failing = await post("/", ["EVAL", "return redis.call('incr', KEYS[1])", 1, `${k}s`]);
    expect(((await failing.json()) as { error: string }).error).toMatch(
      /^ERR value is not an integer or out of range script: [0-9a-f]{40}, on @user_script:1\.$/,
    );
    const caught = await post("/", ["EVAL", "local r = redis.pcall('incr', KEYS[1]); return r['err']", 1, `${k}s`]);
    expect(await caught.json()).toEqual({ result: "ERR value is not an integer or out of range" });
  });

  it("8: NOSCRIPT, SCRIPT LOAD, and EVALSHA of a flagged script after one EVAL", async () => {
    const script = `#!lua flags=allow-key-locking\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])`;
    const k = ns();
    const sha = await redis.scriptLoad(script);
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    expect(await redis.evalsha(sha, [`${k}c`], [5])).toBe(5);
    const unknown = await post("/", ["EVALSHA", "0".repeat(40), 0]);
    expect(((await unknown.json()) as { error: string }).error).toContain("NOSCRIPT");
    const other = `#!lua flags=allow-key-locking\nreturn ARGV[1]`;
    expect(await redis.eval(other, [], ["x"])).toBe("x");
    const { createHash } = await import("node:crypto");
    expect(await redis.evalsha(createHash("sha1").update(other).digest("hex"), [], ["y"])).toBe("y");
  });
});

describe("pipelines and transactions", () => {
  it("9: pipeline order, auto-pipelined Promise.all, and keepErrors", async () => {
    const k = ns();
    const p = redis.pipeline();
    p.set(`${k}a`, 1).incr(`${k}a`).get(`${k}a`);
    expect(await p.exec()).toEqual(["OK", 2, 2]);
    const results = await Promise.all([redis.set(`${k}b`, "x"), redis.get(`${k}b`), redis.incr(`${k}n`)]);
    expect(results).toEqual(["OK", "x", 1]);
    const kept = redis.pipeline();
    kept.set(`${k}c`, "text").incr(`${k}c`).get(`${k}c`);
    const entries = await kept.exec({ keepErrors: true });
    expect(entries.map((e) => e.error)).toEqual([undefined, "ERR value is not an integer or out of range", undefined]);
  });

  it("10: multi-exec success, runtime error, EXECABORT and atomicity", async () => {
    const k = ns();
    const tx = redis.multi();
    tx.set(`${k}a`, 1).incr(`${k}a`);
    expect(await tx.exec()).toEqual(["OK", 2]);

    const runtime = await post("/multi-exec", [["SET", `${k}s`, "text"], ["INCR", `${k}s`], ["SET", `${k}after`, "1"]]);
    expect(await runtime.json()).toEqual([
      { result: "OK" },
      { error: "ERR value is not an integer or out of range" },
      { result: "OK" },
    ]);
    const aborted = await post("/multi-exec", [["SET", `${k}never`, "1"], ["NOSUCHCOMMAND"]]);
    expect(aborted.status).toBe(400);
    expect(await aborted.json()).toEqual({ error: "EXECABORT Transaction discarded because of previous errors." });
    expect(await redis.exists(`${k}never`)).toBe(0);

    // Concurrent transactions never interleave: each reads then writes its own pair.
    await Promise.all(
      Array.from({ length: 20 }, () => post("/multi-exec", [["INCR", `${k}x`], ["INCR", `${k}y`]])),
    );
    expect(await redis.mget(`${k}x`, `${k}y`)).toEqual([20, 20]);
  });
});

describe("HTTP", () => {
  it("401 on a bad or missing token", async () => {
    const bad = await fetch(server.url, { method: "POST", headers: { Authorization: "Bearer nope" }, body: '["PING"]' });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({ error: "Unauthorized" });
    expect((await fetch(server.url, { method: "POST", body: '["PING"]' })).status).toBe(401);
  });

  it("sends an increasing sync token", async () => {
    const first = Number((await post("/", ["PING"])).headers.get("upstash-sync-token"));
    const second = Number((await post("/", ["PING"])).headers.get("upstash-sync-token"));
    expect(second).toBeGreaterThan(first);
  });

  it("answers without encoding unless asked, and base64 at every depth when asked", async () => {
    const k = ns();
    await redis.rpush(`${k}l`, "OK", "é");
    expect(await (await post("/", ["LRANGE", `${k}l`, 0, -1])).json()).toEqual({ result: ["OK", "é"] });
    const encoded = await post("/", ["LRANGE", `${k}l`, 0, -1], { "Upstash-Encoding": "base64" });
    expect(await encoded.json()).toEqual({ result: ["T0s=", "w6k="] });
  });

  it("400 on a bad body, 404 on an unknown route, 405 on a wrong method", async () => {
    expect((await post("/", { not: "an array" })).status).toBe(400);
    expect((await post("/nope", ["PING"])).status).toBe(404);
    expect((await fetch(server.url, { headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(405);
  });
});

describe("@upstash/ratelimit", () => {
  const algorithms = {
    fixedWindow: Ratelimit.fixedWindow(3, "10 s"),
    slidingWindow: Ratelimit.slidingWindow(3, "10 s"),
    tokenBucket: Ratelimit.tokenBucket(1, "10 s", 3),
  };

  for (const [name, limiter] of Object.entries(algorithms)) {
    it(`${name}: limit 3 over 5 calls, getRemaining, resetUsedTokens`, async () => {
      const limit = new Ratelimit({ redis, limiter, prefix: ns(), timeout: 0, ephemeralCache: false });
      const id = "user-1";
      const seen: string[] = [];
      for (let i = 0; i < 5; i++) {
        const result = await limit.limit(id);
        seen.push(result.success ? `ok:${result.remaining}` : "deny");
        expect(result.reason).toBeUndefined();
      }
      expect(seen).toEqual(["ok:2", "ok:1", "ok:0", "deny", "deny"]);
      expect((await limit.getRemaining(id)).remaining).toBe(0);
      await limit.resetUsedTokens(id);
      expect((await limit.getRemaining(id)).remaining).toBe(3);
      expect((await limit.limit(id)).success).toBe(true);
    });
  }

  it("windows expire", async () => {
    const limit = new Ratelimit({ redis, limiter: Ratelimit.fixedWindow(1, "1 s"), prefix: ns(), timeout: 0, ephemeralCache: false });
    expect((await limit.limit("u")).success).toBe(true);
    expect((await limit.limit("u")).success).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await limit.limit("u")).success).toBe(true);
  });
});
