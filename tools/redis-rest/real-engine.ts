import ioredis from "ioredis";
import { ExecAbortError, type RedisEngine } from "./engine.ts";
import { RedisError, Status, type Reply } from "./reply.ts";
import { scriptCommand, ScriptCache } from "./scripts.ts";

/**
 * A real Redis (or Valkey) through ioredis, in RESP2 (B8). `callBuffer` with the upper-cased
 * name keeps raw bytes and skips ioredis's reply transformers (which would turn HGETALL into
 * an object). Scripts go through the shared cache so flagged ratelimit scripts run (B7).
 */
export async function createRealEngine(url: string): Promise<RedisEngine> {
  // `ioredis.Redis` (not a named import) resolves the same under Node ESM and vitest.
  const redis = new ioredis.Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableAutoPipelining: false });
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
  const command = async (args: Buffer[]): Promise<Reply> => {
    const scripted = scriptCommand(scripts, args, (body, keysAndArgs) =>
      raw([Buffer.from("EVAL"), Buffer.from(body), ...keysAndArgs]),
    );
    return scripted === undefined ? raw(args) : scripted;
  };

  return {
    name: "redis",
    command,
    async multi(commands) {
      // Scripts are resolved to plain EVALs first, so the transaction itself needs no cache.
      const resolved = commands.map((args) => resolveScript(scripts, args));
      const transaction = redis.multi();
      for (const args of resolved) {
        if (args instanceof RedisError) return Promise.reject(new ExecAbortError());
        const [name, ...rest] = args;
        transaction.callBuffer(name!.toString("latin1").toUpperCase(), ...rest);
      }
      let results: [Error | null, unknown][] | null;
      try {
        results = await transaction.exec();
      } catch (error) {
        if (error instanceof Error && /EXECABORT/.test(error.message)) throw new ExecAbortError();
        throw error;
      }
      return (results ?? []).map(([error, value]) => (error ? new RedisError(error.message) : toReply(value)));
    },
    close: async () => {
      await redis.quit();
    },
  };
}

/** EVALSHA → EVAL of the cached body; unknown SHA → the NOSCRIPT error. */
function resolveScript(scripts: ScriptCache, args: Buffer[]): Buffer[] | RedisError {
  let resolved: Buffer[] | RedisError = args;
  const reply = scriptCommand(scripts, args, (body, keysAndArgs) => {
    resolved = [Buffer.from("EVAL"), Buffer.from(body), ...keysAndArgs];
    return null;
  });
  if (reply instanceof RedisError) return reply;
  return resolved;
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
