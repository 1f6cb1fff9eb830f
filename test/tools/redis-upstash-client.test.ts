import { createHash, randomUUID } from "node:crypto";
import { Redis } from "@upstash/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RedisRestServer } from "../../tools/redis-rest/index.ts";
import { startLocalRedisRest, TOKEN, type LocalRedisRest } from "./local-redis-rest.ts";

// What @upstash/redis's own test suite checks of a server (packages/redis/pkg in
// upstash/redis-js), carried over: Upstash's behaviours (read-only scripts, NOSCRIPT inside a
// transaction, pub/sub over Server-Sent Events, SCAN WITHTYPE, FCALL_RO, COPY onto itself)
// and each command family of the embedded engine, through the real client, on the embedded
// engine or the real Redis named by REDIS_URL.
let local: LocalRedisRest;
let server: RedisRestServer;
let redis: Redis;

beforeAll(async () => {
  local = await startLocalRedisRest();
  ({ server, redis } = local);
});

afterAll(() => local.close());

/** A key prefix no other test uses (the Redis behind REDIS_URL is shared). */
const ns = () => `client:${randomUUID()}:`;

async function post(path: string, body: unknown) {
  const res = await fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

/** Resolves with the first `count` values pushed, or fails after `ms`. */
function collect<T>(count: number, ms = 5_000): { push: (value: T) => void; done: Promise<T[]> } {
  const values: T[] = [];
  let resolve: (values: T[]) => void = () => undefined;
  const done = new Promise<T[]>((ok, fail) => {
    resolve = ok;
    setTimeout(() => fail(new Error(`only ${values.length} of ${count} events within ${ms} ms: ${JSON.stringify(values)}`)), ms).unref();
  });
  return {
    push: (value) => {
      values.push(value);
      if (values.length === count) resolve(values);
    },
    done,
  };
}

/** Polls until PUBSUB NUMSUB says the channel has `count` subscribers. */
async function waitForSubscribers(channel: string, count: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const [, subscribers] = await redis.exec<[string, number]>(["PUBSUB", "NUMSUB", channel]);
    if (subscribers === count) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${channel} never had ${count} subscribers`);
}

describe("Upstash behaviours", () => {
  it("read-only scripts refuse writes with Redis's text, and read freely", async () => {
    const k = ns();
    await redis.set(`${k}a`, "v");
    expect(await redis.evalRo("return redis.call('GET', KEYS[1])", [`${k}a`], [])).toBe("v");
    await expect(redis.evalRo("return redis.call('DEL', KEYS[1])", [`${k}a`], [])).rejects.toThrow(
      /Write commands are not allowed from read-only scripts/,
    );
    const script = redis.createScript<string, true>("return redis.call('DEL', KEYS[1])", { readonly: true });
    await expect(script.evalRo([`${k}a`], [])).rejects.toThrow(/Write commands are not allowed from read-only scripts/);
    const sha = await redis.scriptLoad("return redis.call('INCR', KEYS[1])");
    await expect(redis.evalshaRo(sha, [`${k}n`], [])).rejects.toThrow(/Write commands are not allowed from read-only scripts/);
    expect(await redis.get(`${k}a`)).toBe("v");
    expect(await redis.exists(`${k}n`)).toBe(0);
  });

  it("an EVALSHA of an unknown script fails only its entry of a transaction", async () => {
    const k = ns();
    const tx = await post("/multi-exec", [["SET", `${k}a`, "1"], ["EVALSHA", "0".repeat(40), 0], ["INCR", `${k}a`]]);
    expect(tx).toEqual({
      status: 200,
      body: [{ result: "OK" }, { error: "NOSCRIPT No matching script. Please use EVAL." }, { result: 2 }],
    });
    const aborted = await post("/multi-exec", [["SET", `${k}b`, "1"], ["EVAL", "return 1"]]);
    expect(aborted).toEqual({ status: 400, body: { error: "EXECABORT Transaction discarded because of previous errors." } });
    expect(await redis.exists(`${k}b`)).toBe(0);
  });

  it("SCAN … WITHTYPE pairs every key with its type", async () => {
    const k = ns();
    await redis.set(`${k}s`, "v");
    await redis.zadd(`${k}z`, { score: 1, member: "m" });
    await redis.hset(`${k}h`, { f: "v" });
    const found = new Map<string, string>();
    let cursor = "0";
    do {
      const [next, items] = await redis.scan(cursor, { match: `${k}*`, count: 1000, withType: true });
      for (const { key, type } of items) found.set(key, type);
      cursor = next;
    } while (cursor !== "0");
    expect(Object.fromEntries(found)).toEqual({ [`${k}s`]: "string", [`${k}z`]: "zset", [`${k}h`]: "hash" });
    // A bad option still fails as SCAN would.
    expect(await post("/", ["SCAN", "0", "COUNT", "0", "WITHTYPE"])).toEqual({ status: 400, body: { error: "ERR syntax error" } });
  });

  it("COPY onto itself answers NOT_COPIED, as Upstash does", async () => {
    const k = ns();
    await redis.set(`${k}a`, "v");
    expect(await redis.copy(`${k}a`, `${k}a`)).toBe("NOT_COPIED");
    expect(await redis.copy(`${k}a`, `${k}b`)).toBe("COPIED");
  });

  it("commands that need a connection of their own are refused, not run on a shared one", async () => {
    for (const command of [["MULTI"], ["SUBSCRIBE", "c"], ["SELECT", "1"], ["QUIT"]]) {
      const reply = await post("/", command);
      expect(reply.status).toBe(400);
      expect((reply.body as { error: string }).error).toMatch(/is not available over the REST API/);
    }
    expect(await redis.ping()).toBe("PONG");
  });
});

describe("blocking commands", () => {
  // Each backend's own behaviour is registered on that backend only (CI runs both passes).
  if (process.env.REDIS_URL) it("wait on a connection of their own, so other requests go on", async () => {
    const k = ns();
    const popped = redis.exec(["BLPOP", `${k}queue`, 0]);
    // The shared connection is free meanwhile.
    expect(await redis.ping()).toBe("PONG");
    await redis.rpush(`${k}queue`, "job");
    expect(await popped).toEqual([`${k}queue`, "job"]);
  });

  if (!process.env.REDIS_URL) it("are not offered by the embedded engine, loudly", async () => {
    await expect(redis.exec(["BLPOP", "queue", 1])).rejects.toThrow(/ERR unknown command 'BLPOP'/);
  });
});

describe("pub/sub over Server-Sent Events", () => {
  it("subscribe: a count per channel, then each message in order, to every subscriber", async () => {
    const channel = `${ns()}news`;
    const counts = collect<number>(1);
    const first = collect<unknown>(3);
    const second = collect<unknown>(3);
    const one = redis.subscribe<unknown>(channel);
    const two = redis.subscribe<unknown>([channel]);
    one.on("subscribe", counts.push);
    one.on("message", ({ message }) => first.push(message));
    two.on(`message:${channel}`, ({ message }) => second.push(message));
    expect(await counts.done).toEqual([1]);
    await waitForSubscribers(channel, 2);
    expect(await redis.publish(channel, "plain text")).toBe(2);
    await redis.publish(channel, { user: "u1", at: 1 });
    await redis.publish(channel, "a,b,c");
    expect(await first.done).toEqual(["plain text", { user: "u1", at: 1 }, "a,b,c"]);
    expect(await second.done).toEqual(await first.done);
    await Promise.all([one.unsubscribe(), two.unsubscribe()]);
    await waitForSubscribers(channel, 0);
    expect(await redis.publish(channel, "nobody")).toBe(0);
  });

  it("psubscribe: pmessage events with the pattern and the channel", async () => {
    const k = ns();
    const messages = collect<{ pattern: string; channel: string; message: unknown }>(2);
    const subscriber = redis.psubscribe<unknown>(`${k}user:*`);
    const subscribed = collect<number>(1);
    subscriber.on("psubscribe", subscribed.push);
    subscriber.on("pmessage", messages.push);
    await subscribed.done;
    // PUBLISH counts a pattern subscriber too. (The client JSON-parses pmessage payloads.)
    for (let i = 0; i < 100 && (await redis.publish(`${k}user:probe`, { probe: true })) === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await redis.publish(`${k}other:1`, "ignored");
    await redis.publish(`${k}user:1`, { hello: "world" });
    const received = await messages.done;
    expect(received[0]).toEqual({ pattern: `${k}user:*`, channel: `${k}user:probe`, message: { probe: true } });
    expect(received.at(-1)).toEqual({ pattern: `${k}user:*`, channel: `${k}user:1`, message: { hello: "world" } });
    await subscriber.unsubscribe();
  });

  it("streams the wire format @upstash/redis parses: data: kind,name,payload", async () => {
    const channel = `${ns()}raw`;
    const controller = new AbortController();
    const res = await fetch(`${server.url}/subscribe/${channel}`, {
      method: "POST",
      headers: { Authorization: `Bearer ${TOKEN}`, Accept: "text/event-stream" },
      body: "[]",
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    const readUntil = async (needle: string) => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${needle}: ${text}`);
        text += decoder.decode(value, { stream: true });
      }
    };
    await readUntil("\n\n");
    expect(text).toBe(`data: subscribe,${channel},1\n\n`);
    await redis.publish(channel, "héllo");
    await readUntil("héllo\n\n");
    expect(text).toBe(`data: subscribe,${channel},1\n\ndata: message,${channel},héllo\n\n`);
    controller.abort();
    await waitForSubscribers(channel, 0);
    const unauthorized = await fetch(`${server.url}/subscribe/${channel}`, { method: "POST", body: "[]" });
    expect(unauthorized.status).toBe(401);
  });
});

describe("functions", () => {
  it("load, call, call read-only (Upstash runs any function read-only), list and delete", async () => {
    const lib = `client_${randomUUID().replaceAll("-", "")}`;
    const code = [
      `#!lua name=${lib}`,
      `redis.register_function('${lib}_set', function(keys, args) return redis.call('SET', keys[1], args[1]) end)`,
      `redis.register_function{function_name='${lib}_get', callback=function(keys) return redis.call('GET', keys[1]) end, flags={'no-writes'}}`,
      `redis.register_function('${lib}_plain_get', function(keys) return redis.call('GET', keys[1]) end)`,
      "",
    ].join("\n");
    const k = ns();
    try {
      expect(await redis.functions.load({ code, replace: true })).toBe(lib);
      expect(await redis.functions.call(`${lib}_set`, [`${k}a`], ["v"])).toBe("OK");
      expect(await redis.functions.callRo(`${lib}_get`, [`${k}a`], [])).toBe("v");
      expect(await redis.functions.callRo(`${lib}_plain_get`, [`${k}a`], [])).toBe("v");
      await expect(redis.functions.callRo(`${lib}_set`, [`${k}a`], ["w"])).rejects.toThrow(/commands are not allowed from read-only/);
      const [listed] = await redis.functions.list({ libraryName: lib, withCode: true });
      expect(listed?.libraryCode).toBe(code);
      expect(listed?.functions.map((fn) => [fn.name, fn.flags]).sort()).toEqual([
        [`${lib}_get`, ["no-writes"]],
        [`${lib}_plain_get`, []],
        [`${lib}_set`, []],
      ]);
    } finally {
      await redis.functions.delete(lib);
    }
    expect(await redis.functions.list({ libraryName: lib })).toEqual([]);
  });
});

describe("command families", () => {
  it("strings", async () => {
    const k = ns();
    await redis.set(`${k}s`, "Hello World");
    expect(await redis.getex(`${k}s`, { ex: 100 })).toBe("Hello World");
    expect(await redis.ttl(`${k}s`)).toBeGreaterThan(90);
    expect(await redis.getex(`${k}s`, { persist: true })).toBe("Hello World");
    expect(await redis.ttl(`${k}s`)).toBe(-1);
    expect(await redis.setrange(`${k}s`, 6, "Redis")).toBe(11);
    expect(await redis.getrange(`${k}s`, -5, -1)).toBe("Redis");
    expect(await redis.getset(`${k}s`, "next")).toBe("Hello Redis");
    expect(await redis.getdel(`${k}s`)).toBe("next");
    expect(await redis.msetnx({ [`${k}a`]: 1, [`${k}b`]: 2 })).toBe(1);
    expect(await redis.msetnx({ [`${k}b`]: 3, [`${k}c`]: 4 })).toBe(0);
  });

  it("keys", async () => {
    const k = ns();
    await redis.set(`${k}a`, "v", { ex: 100 });
    expect(await redis.rename(`${k}a`, `${k}b`)).toBe("OK");
    expect(await redis.ttl(`${k}b`)).toBeGreaterThan(90);
    expect(await redis.renamenx(`${k}b`, `${k}b`)).toBe(0);
    await expect(redis.rename(`${k}missing`, `${k}x`)).rejects.toThrow(/ERR no such key/);
    expect(await redis.touch(`${k}b`, `${k}missing`)).toBe(1);
    expect(await redis.unlink(`${k}b`)).toBe(1);
    await redis.set(`${k}c`, "v");
    expect(typeof (await redis.randomkey())).toBe("string");
  });

  it("hashes", async () => {
    const k = ns();
    await redis.hset(`${k}h`, { a: "1", b: "hello", c: "3" });
    expect(await redis.hsetnx(`${k}h`, "a", "x")).toBe(0);
    expect(await redis.hstrlen(`${k}h`, "b")).toBe(5);
    expect(await redis.hrandfield(`${k}h`, 5, true)).toEqual({ a: 1, b: "hello", c: 3 });
    expect(await redis.exec<string[]>(["HRANDFIELD", `${k}h`, -4])).toHaveLength(4);
    expect(await redis.hscan(`${k}h`, 0, { match: "[ab]" })).toEqual(["0", ["a", 1, "b", "hello"]]);
  });

  it("lists", async () => {
    const k = ns();
    await redis.rpush(`${k}l`, "a", "b", "c", "b");
    expect(await redis.lindex(`${k}l`, -1)).toBe("b");
    expect(await redis.lpos(`${k}l`, "b", { rank: -1 })).toBe(3);
    expect(await redis.lpos(`${k}l`, "b", { count: 0 })).toEqual([1, 3]);
    expect(await redis.linsert(`${k}l`, "before", "c", "x")).toBe(5);
    expect(await redis.lset(`${k}l`, 0, "A")).toBe("OK");
    expect(await redis.lrem(`${k}l`, 0, "b")).toBe(2);
    expect(await redis.lmove(`${k}l`, `${k}m`, "left", "right")).toBe("A");
    expect(await redis.lmpop(2, [`${k}none`, `${k}l`], "RIGHT", 5)).toEqual([`${k}l`, ["c", "x"]]);
    expect(await redis.exists(`${k}l`)).toBe(0);
  });

  it("sets", async () => {
    const k = ns();
    await redis.sadd(`${k}a`, "1", "2", "3");
    await redis.sadd(`${k}b`, "2", "3", "4");
    expect((await redis.sinter(`${k}a`, `${k}b`)).sort()).toEqual([2, 3]);
    expect(await redis.sunionstore(`${k}u`, `${k}a`, `${k}b`)).toBe(4);
    expect(await redis.sdiff(`${k}a`, `${k}b`)).toEqual([1]);
    expect(await redis.sintercard([`${k}a`, `${k}b`], { limit: 1 })).toBe(1);
    expect(await redis.smismember(`${k}a`, ["1", "9"])).toEqual([1, 0]);
    expect(await redis.smove(`${k}a`, `${k}b`, "1")).toBe(1);
    expect(((await redis.srandmember(`${k}b`, 10)) as number[]).sort()).toEqual([1, 2, 3, 4]);
    expect(await redis.sscan(`${k}b`, 0)).toEqual(["0", [1, 2, 3, 4]]);
  });

  it("sorted sets", async () => {
    const k = ns();
    await redis.zadd(`${k}a`, { score: 1, member: "x" }, { score: 2, member: "y" });
    await redis.zadd(`${k}b`, { score: 10, member: "y" }, { score: 20, member: "z" });
    expect(await redis.zunion(2, [`${k}a`, `${k}b`], { withScores: true })).toEqual(["x", 1, "y", 12, "z", 20]);
    expect(await redis.zinterstore(`${k}i`, 2, [`${k}a`, `${k}b`], { weights: [2, 1] })).toBe(1);
    expect(await redis.zscore(`${k}i`, "y")).toBe(14);
    expect(await redis.zunionstore(`${k}u`, 2, [`${k}a`, `${k}b`], { aggregate: "max" })).toBe(3);
    await redis.zadd(`${k}lex`, { score: 0, member: "a" }, { score: 0, member: "b" }, { score: 0, member: "c" });
    expect(await redis.zrange(`${k}lex`, "[b", "+", { byLex: true })).toEqual(["b", "c"]);
    expect(await redis.zrange(`${k}u`, "+inf", "(1", { byScore: true, rev: true, offset: 0, count: 1 })).toEqual(["z"]);
    expect(await redis.zmscore(`${k}a`, ["x", "nope"])).toEqual([1, null]);
    expect(await redis.zpopmax(`${k}u`)).toEqual(["z", 20]);
    expect(await redis.zscan(`${k}a`, 0)).toEqual(["0", ["x", 1, "y", 2]]);
    expect(await redis.zlexcount(`${k}lex`, "-", "[b")).toBe(2);
  });

  it("bitmaps", async () => {
    const k = ns();
    expect(await redis.setbit(`${k}b`, 7, 1)).toBe(0);
    expect(await redis.getbit(`${k}b`, 7)).toBe(1);
    await redis.set(`${k}s`, "foobar");
    expect(await redis.bitcount(`${k}s`, 1, 1)).toBe(6);
    expect(await redis.bitpos(`${k}s`, 1, 2)).toBe(17);
    expect(await redis.bitop("and", `${k}d`, `${k}s`, `${k}b`)).toBe(6);
    // (redis.bitfield() builds on a pipeline the auto-pipelining client does not hand out.)
    expect(await redis.exec(["BITFIELD", `${k}f`, "SET", "u8", 0, 255, "INCRBY", "u8", 0, 10, "GET", "u4", 0])).toEqual([0, 9, 0]);
  });

  if (!process.env.REDIS_URL) it("BITOP DIFF, DIFF1, ANDOR and ONE (Redis 8.2's, which Upstash serves)", async () => {
    const k = ns();
    const byte = async (key: string) => (await redis.exec<number[]>(["BITFIELD", key, "GET", "u8", 0]))[0];
    for (const bit of [0, 1, 2, 3]) await redis.setbit(`${k}x`, bit, 1); // 11110000
    for (const bit of [2, 3]) await redis.setbit(`${k}y1`, bit, 1); //      00110000
    for (const bit of [4, 5]) await redis.setbit(`${k}y2`, bit, 1); //      00001100
    const run = async (op: "diff" | "diff1" | "andor" | "one") => {
      await (op === "one" ? redis.bitop(op, `${k}d`, `${k}x`, `${k}y1`, `${k}y2`) : redis.bitop(op, `${k}d`, `${k}x`, `${k}y1`, `${k}y2`));
      return byte(`${k}d`);
    };
    expect(await run("diff")).toBe(0b11000000);
    expect(await run("diff1")).toBe(0b00001100);
    expect(await run("andor")).toBe(0b00110000);
    expect(await run("one")).toBe(0b11001100);
    await expect(redis.exec(["BITOP", "DIFF", `${k}d`, `${k}x`])).rejects.toThrow(/at least two source keys/);
  });

  it("HyperLogLog, with Redis's own estimates", async () => {
    const k = ns();
    expect(await redis.pfadd(`${k}a`, ...Array.from({ length: 1000 }, (_, i) => `a${i}`))).toBe(1);
    expect(await redis.pfadd(`${k}b`, ...Array.from({ length: 1000 }, (_, i) => `b${i}`))).toBe(1);
    // Redis 7.0 answers exactly these for these elements (the differential test checks more).
    expect(await redis.pfcount(`${k}a`)).toBe(999);
    expect(await redis.pfmerge(`${k}ab`, `${k}a`, `${k}b`)).toBe("OK");
    expect(await redis.pfcount(`${k}ab`)).toBe(await redis.pfcount(`${k}a`, `${k}b`));
  });
});

describe("scripts keep their SHA across engines", () => {
  it("SCRIPT LOAD hashes the text as sent", async () => {
    const script = "return 'sha'";
    expect(await redis.scriptLoad(script)).toBe(createHash("sha1").update(script).digest("hex"));
  });
});
