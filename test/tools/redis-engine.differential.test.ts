import { randomUUID } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { Ratelimit } from "@upstash/ratelimit";
import { Redis } from "@upstash/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmbeddedEngine, createRealEngine, startRedisRestServer, type RedisEngine } from "../../tools/redis-rest/index.ts";
import { RedisError, Status, type Reply } from "../../tools/redis-rest/reply.ts";
import { CASES, type Arg, type Case } from "./redis-cases.ts";

/**
 * The embedded Redis engine must answer exactly as Redis does. With REDIS_URL set (CI's
 * second pass), every case runs on the real server and on the embedded engine and the
 * replies must be equal; the recorded fixture must equal the real replies too, so it cannot
 * drift. Without REDIS_URL (a fresh clone, CI's first pass), the embedded engine is compared
 * with that fixture, recorded from Redis 7.0.
 *
 * Re-record: UPDATE_REDIS_FIXTURE=1 REDIS_URL=redis://127.0.0.1:6379 npx vitest run --project tools redis-engine
 */
const FIXTURE = new URL("./fixtures/redis-replies.json", import.meta.url);
const REDIS_URL = process.env.REDIS_URL || undefined;

type Recorded = Record<string, unknown[]>;
interface Fixture {
  cases: Recorded;
  ratelimit: Recorded;
}

let embedded: RedisEngine;
let real: RedisEngine | undefined;
let fixture: Fixture;

beforeAll(async () => {
  embedded = createEmbeddedEngine();
  real = REDIS_URL ? await createRealEngine(REDIS_URL) : undefined;
  fixture = JSON.parse(await readFile(FIXTURE, "utf8")) as Fixture;
});

afterAll(async () => {
  await embedded.close();
  await real?.close();
  if (real && process.env.UPDATE_REDIS_FIXTURE) {
    await writeFile(FIXTURE, `${JSON.stringify(recordedFromReal, null, 1)}\n`);
  }
});

const recordedFromReal: Fixture = { cases: {}, ratelimit: {} };

/** What the embedded engine must match: the live server when there is one, else the fixture. */
function expectAgreement(kind: keyof Fixture, name: string, fromEmbedded: unknown[], fromReal: unknown[] | undefined) {
  if (fromReal) {
    recordedFromReal[kind][name] = fromReal;
    expect(fromEmbedded, "embedded engine vs real Redis").toEqual(fromReal);
    if (!process.env.UPDATE_REDIS_FIXTURE) expect(fixture[kind][name], "fixture vs real Redis").toEqual(fromReal);
  } else {
    expect(fixture[kind][name], `no recorded replies for "${name}": re-record the fixture`).toBeDefined();
    expect(fromEmbedded, "embedded engine vs replies recorded from Redis").toEqual(fixture[kind][name]);
  }
}

describe("embedded engine vs Redis: commands", () => {
  for (const testCase of CASES) {
    it(testCase.name, async () => {
      const fromEmbedded = await runCase(embedded, testCase);
      const fromReal = real ? await runCase(real, testCase) : undefined;
      expectAgreement("cases", testCase.name, fromEmbedded, fromReal);
    });
  }
});

describe("embedded engine vs Redis: @upstash/ratelimit scripts", () => {
  const algorithms = {
    fixedWindow: () => Ratelimit.fixedWindow(3, "30 s"),
    slidingWindow: () => Ratelimit.slidingWindow(3, "30 s"),
    tokenBucket: () => Ratelimit.tokenBucket(1, "30 s", 3),
  };
  for (const [name, limiter] of Object.entries(algorithms)) {
    it(name, async () => {
      const fromEmbedded = await runRatelimit(embedded, limiter());
      const fromReal = real ? await runRatelimit(real, limiter()) : undefined;
      expectAgreement("ratelimit", name, fromEmbedded, fromReal);
    });
  }
});

/** A run's unique names, and how replies turn them back into placeholders. */
interface Names {
  prefix: string;
  library: string;
}

async function runCase(engine: RedisEngine, testCase: Case): Promise<unknown[]> {
  const names: Names = { prefix: `diff:${randomUUID()}:`, library: `diff_${randomUUID().replaceAll("-", "")}` };
  const toArgs = (command: Arg[]) =>
    command.map((arg) =>
      Buffer.from(
        String(arg).replaceAll("{p}", names.prefix).replaceAll("{lib}", names.library).replaceAll("{LIB}", names.library.toUpperCase()),
      ),
    );
  const normalise = (reply: Reply, command: Arg[]) => canonical(reply, String(command[0]).toUpperCase(), names);
  if (testCase.multi) {
    try {
      const replies = await engine.multi(testCase.commands.map(toArgs));
      return replies.map((reply, i) => normalise(reply, testCase.commands[i]!));
    } catch (error) {
      return [{ aborted: (error as Error).message }];
    }
  }
  const replies: unknown[] = [];
  for (const command of testCase.commands) replies.push(await runPseudo(engine, command, toArgs, names));
  return replies;
}

/** Runs a command, or one of the pseudo-commands that reduce replies to what Redis fixes. */
async function runPseudo(engine: RedisEngine, command: Arg[], toArgs: (c: Arg[]) => Buffer[], names: Names): Promise<unknown> {
  const { prefix } = names;
  const [name, ...rest] = command;
  if (name === "SORTED" || name === "LENGTH" || name === "SORTEDSCAN") {
    const reply = canonical(await engine.command(toArgs(rest)), String(rest[0]).toUpperCase(), names);
    if (!Array.isArray(reply)) return reply;
    if (name === "LENGTH") return { length: reply.length };
    if (name === "SORTED") return [...reply].sort(byJson);
    const [cursor, elements] = reply as [unknown, unknown[]];
    return [cursor, [...elements].sort(byJson)];
  }
  if (name === "FUNCTIONS") {
    // FUNCTION LIST, each library's functions sorted by name (Redis lists them in dict order).
    const reply = canonical(await engine.command(toArgs(["FUNCTION", "LIST", ...rest])), "FUNCTION", names);
    if (!Array.isArray(reply)) return reply;
    return reply.map((library) =>
      (library as unknown[]).map((value, i, fields) => (fields[i - 1] === "functions" ? [...(value as unknown[])].sort(byJson) : value)),
    );
  }
  if (name === "SCANALL") {
    // A full SCAN iteration, small COUNT to force several pages; the order is Redis's own.
    const keys: string[] = [];
    let cursor = "0";
    do {
      const reply = (await engine.command(toArgs(["SCAN", cursor, "MATCH", ...rest.slice(0, 1), "COUNT", 3, ...rest.slice(1)]))) as [
        Buffer,
        Buffer[],
      ];
      cursor = reply[0].toString();
      keys.push(...reply[1].map((key) => key.toString().replace(prefix, "{p}")));
    } while (cursor !== "0");
    return keys.sort();
  }
  if (name === "INFOHAS") {
    const info = (await engine.command(toArgs(["INFO", rest[0]!]))) as Buffer;
    return info.toString().includes(String(rest[1]));
  }
  if (name === "DBSIZEPOSITIVE") return ((await engine.command(toArgs(["DBSIZE"]))) as number) > 0;
  if (name === "TIMEPAIR") {
    const [seconds, micros] = (await engine.command(toArgs(["TIME"]))) as Buffer[];
    return [/^\d{10}$/.test(seconds!.toString()), /^\d{1,6}$/.test(micros!.toString())];
  }
  return canonical(await engine.command(toArgs(command)), String(name).toUpperCase(), names);
}

const byJson = (a: unknown, b: unknown) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : JSON.stringify(a) > JSON.stringify(b) ? 1 : 0);

/**
 * A JSON form of a reply; only what Redis itself leaves open (TTLs, set order, memory
 * figures) is relaxed, and run-specific names become their placeholders again.
 */
function canonical(reply: Reply, command: string, names: Names): unknown {
  if ((command === "TTL" || command === "PTTL") && typeof reply === "number" && reply > 0) return "positive";
  if (command === "MEMORY" && typeof reply === "number" && reply > 0) return "positive";
  if (command === "SMEMBERS" && Array.isArray(reply)) {
    return reply.map((item) => canonical(item, "", names)).sort(byJson);
  }
  const placeholders = (value: string) => value.replaceAll(names.prefix, "{p}").replaceAll(names.library, "{lib}");
  if (reply instanceof RedisError) return { error: placeholders(reply.message) };
  // ioredis hands status replies over as bytes, and the REST protocol sends both as strings.
  if (reply instanceof Status) return reply.text;
  if (Buffer.isBuffer(reply)) {
    const utf8 = reply.toString("utf8");
    return Buffer.from(utf8).equals(reply) ? placeholders(utf8) : { base64: reply.toString("base64") };
  }
  if (Array.isArray(reply)) return reply.map((item) => canonical(item, "", names));
  // ioredis reads integers past 2^53 digit by digit in doubles, which drifts in the last
  // digits; the embedded engine rounds the exact value once. Compare what both keep.
  if (typeof reply === "number" && !Number.isSafeInteger(reply)) return { approximately: reply.toPrecision(15) };
  return reply;
}

async function runRatelimit(engine: RedisEngine, limiter: ConstructorParameters<typeof Ratelimit>[0]["limiter"]) {
  const server = await startRedisRestServer({ engine, token: "t" });
  try {
    const redis = new Redis({ url: server.url, token: "t", retry: false, enableTelemetry: false });
    const limit = new Ratelimit({ redis, limiter, prefix: `diff:${randomUUID()}`, timeout: 0, ephemeralCache: false });
    const steps: unknown[] = [];
    for (let i = 0; i < 5; i++) {
      const { success, remaining, limit: max } = await limit.limit("id");
      steps.push({ success, remaining, max });
    }
    steps.push({ remaining: (await limit.getRemaining("id")).remaining });
    await limit.resetUsedTokens("id");
    steps.push({ afterReset: (await limit.getRemaining("id")).remaining });
    const { success, remaining } = await limit.limit("id");
    steps.push({ success, remaining });
    return steps;
  } finally {
    await server.close();
  }
}
