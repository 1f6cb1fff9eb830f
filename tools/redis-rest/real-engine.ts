import { createRequire } from "node:module";
import type ioredis from "ioredis";
import { ExecAbortError, type RedisEngine } from "./engine.ts";
import { RedisError, Status, type Reply } from "./reply.ts";
import { scriptCommand, ScriptCache, scriptSyntaxError } from "./scripts.ts";

/**
 * ioredis through Node's own `require`, so its CommonJS entry runs once per process. Loaded as
 * an ES module by each of several module graphs in one process (vitest's global setups, one
 * per test project), the entry ran again over the cached `./Redis` module and threw
 * "Cannot redefine property: default".
 */
function loadIoredis(): typeof ioredis {
  return createRequire(import.meta.url)("ioredis") as typeof ioredis;
}

/**
 * A real Redis (or Valkey) through ioredis, in RESP2, the reply shapes Upstash's JSON mirrors.
 * `callBuffer` with the upper-cased name keeps raw bytes and skips ioredis's reply transformers
 * (which would turn HGETALL into an object). Scripts go through the shared cache, which drops
 * the `#!lua flags=…` line real Redis refuses, so ratelimit's scripts run; a read-only one
 * (EVAL_RO, EVALSHA_RO, `no-writes`) runs as Redis's own EVAL_RO, which refuses writes.
 */
export async function createRealEngine(url: string): Promise<RedisEngine> {
  const { Redis } = loadIoredis();
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableAutoPipelining: false });
  await redis.connect();
  const scripts = new ScriptCache();

  const raw = async (args: Buffer[]): Promise<Reply> => {
    const [name, ...rest] = args;
    try {
      return toReply(await redis.callBuffer(name!.toString("latin1").toUpperCase(), ...rest));
    } catch (error) {
      if (error instanceof Error && "command" in error) return new RedisError(error.message);
      throw error;
    }
  };
  /**
   * A blocking command (BLPOP 0, XREAD BLOCK…) would hold the shared connection, and every
   * other request behind it, until it returns: it gets a connection of its own instead.
   */
  const blocking = async (args: Buffer[]): Promise<Reply> => {
    const connection = redis.duplicate({ lazyConnect: true });
    connection.on("error", () => undefined);
    try {
      await connection.connect();
      const [name, ...rest] = args;
      return toReply(await connection.callBuffer(name!.toString("latin1").toUpperCase(), ...rest));
    } catch (error) {
      if (error instanceof Error && "command" in error) return new RedisError(error.message);
      throw error;
    } finally {
      connection.disconnect();
    }
  };
  const command = async (args: Buffer[]): Promise<Reply> => {
    const scripted = scriptCommand(scripts, args, (body, keysAndArgs, readOnly) => raw(evalOf(body, keysAndArgs, readOnly)));
    if (scripted !== undefined) return scripted;
    return isBlocking(args) ? blocking(args) : raw(args);
  };

  return {
    name: "redis",
    command,
    async multi(commands) {
      // Queue-time errors of scripting commands discard the transaction, as Redis would.
      if (commands.some((args) => scriptSyntaxError(args))) throw new ExecAbortError();
      // Scripts are resolved to plain EVALs first, so the transaction itself needs no cache.
      // What the cache answers itself stays out of the transaction and takes its place in the
      // results: an unknown SHA fails only its own entry with NOSCRIPT, as in Redis.
      const resolved = commands.map((args) => resolveScript(scripts, args));
      const queued = resolved.flatMap((entry) => ("send" in entry ? [entry.send] : []));
      let results: [Error | null, unknown][] = [];
      if (queued.length > 0) {
        const transaction = redis.multi();
        for (const [name, ...rest] of queued) transaction.callBuffer(name!.toString("latin1").toUpperCase(), ...rest);
        try {
          results = (await transaction.exec()) ?? [];
        } catch (error) {
          if (error instanceof Error && /EXECABORT/.test(error.message)) throw new ExecAbortError();
          throw error;
        }
      }
      let next = 0;
      return resolved.map((entry) => {
        if ("reply" in entry) return entry.reply;
        const [error, value] = results[next++] ?? [new Error("ERR missing transaction reply"), null];
        return error ? new RedisError(error.message) : toReply(value);
      });
    },
    async subscribe(mode, names, listener) {
      // A connection of its own per subscription, as a subscribed RESP2 connection can do
      // nothing else: PUBLISH counts it as one receiver, and any client's PUBLISH reaches it.
      const subscriber = redis.duplicate({ lazyConnect: true });
      subscriber.on("error", () => undefined);
      subscriber.on("messageBuffer", (channel: Buffer, message: Buffer) => listener({ kind: "message", channel, message }));
      subscriber.on("pmessageBuffer", (pattern: Buffer, channel: Buffer, message: Buffer) =>
        listener({ kind: "pmessage", pattern, channel, message }),
      );
      await subscriber.connect();
      // ioredis types patterns as strings only, but sends Buffers as they are (binary-safe).
      const psubscribe = subscriber.psubscribe.bind(subscriber) as unknown as (pattern: Buffer) => Promise<unknown>;
      // One at a time, so each confirmation carries its own running count, as Redis sends them.
      for (const name of names) {
        // eslint-disable-next-line no-await-in-loop
        const count = Number(mode === "channels" ? await subscriber.subscribe(name) : await psubscribe(name));
        listener({ kind: mode === "channels" ? "subscribe" : "psubscribe", name, count });
      }
      return {
        close: () => {
          subscriber.disconnect();
          return Promise.resolve();
        },
      };
    },
    close: async () => {
      await redis.quit();
    },
  };
}

const BLOCKING = new Set(["BLPOP", "BRPOP", "BRPOPLPUSH", "BLMOVE", "BLMPOP", "BZPOPMIN", "BZPOPMAX", "BZMPOP", "WAIT", "WAITAOF"]);

/** Commands that may wait on the server (outside MULTI, where Redis never blocks). */
function isBlocking(args: Buffer[]): boolean {
  const name = args[0]!.toString("latin1").toUpperCase();
  if (BLOCKING.has(name)) return true;
  return (name === "XREAD" || name === "XREADGROUP") && args.some((arg) => arg.toString("latin1").toUpperCase() === "BLOCK");
}

/** The EVAL (or, read-only, EVAL_RO) that runs a cached script body. */
const evalOf = (body: string, keysAndArgs: Buffer[], readOnly: boolean) => [
  Buffer.from(readOnly ? "EVAL_RO" : "EVAL"),
  Buffer.from(body),
  ...keysAndArgs,
];

/**
 * A transaction entry: EVALSHA becomes the EVAL of the cached body; what the cache answers
 * itself (NOSCRIPT, SCRIPT LOAD/EXISTS/FLUSH) is a reply already; anything else is sent as is.
 */
function resolveScript(scripts: ScriptCache, args: Buffer[]): { send: Buffer[] } | { reply: Reply } {
  const resolved: { send?: Buffer[] } = {};
  const reply = scriptCommand(scripts, args, (body, keysAndArgs, readOnly) => {
    resolved.send = evalOf(body, keysAndArgs, readOnly);
    return null;
  });
  if (resolved.send) return { send: resolved.send };
  return reply === undefined ? { send: args } : { reply: reply as Reply };
}

function toReply(value: unknown): Reply {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return value;
  if (Buffer.isBuffer(value)) return value;
  if (typeof value === "string") return new Status(value);
  if (Array.isArray(value)) return value.map(toReply);
  if (value instanceof Error) return new RedisError(value.message);
  return new RedisError(`ERR unexpected reply of type ${typeof value}`);
}
