import type { Redis } from "./redis";

/** The ride-along commands were not sent: the client never ran a script. */
export const NOT_SENT: unique symbol = Symbol("not sent");

/** A command that can ride along: a read, or a script of our own (sent whole with EVAL). */
export type RideCommand = { get: string } | { script: string; keys: string[]; args: string[] };

export interface RideAlong {
  /** Give this client to the library whose script call the commands should ride with. */
  redis: Redis;
  /** The commands' replies, in order (deserialised as the client does), or `NOT_SENT`. */
  replies(): unknown[] | typeof NOT_SENT;
}

/**
 * Sends `commands` in the same HTTP round trip as the first script call (`EVALSHA`/`EVAL`)
 * that a library makes through the returned client: one pipeline, one subrequest. The rate
 * limiter (`@upstash/ratelimit` runs exactly one script per check) carries this way the read
 * of an API key's cached verification and the read of the cache entry the route will want,
 * so a verified key costs no request of its own and a cache hit costs one request in all.
 *
 * Every other command, and every script call after the first, goes through untouched. A
 * command's own error leaves its reply undefined (the caller reads it again on its own). If
 * a library changes how it calls Redis, the replies are simply `NOT_SENT` and the caller
 * reads on its own: slower, never wrong (the subrequest-count tests would show it).
 */
export function rideAlong(redis: Redis, commands: readonly RideCommand[]): RideAlong {
  let replies: unknown[] | typeof NOT_SENT = NOT_SENT;
  let sent = false;
  const scriptCall =
    (command: "evalsha" | "eval") =>
    async (script: string, keys: string[], args: unknown[]): Promise<unknown> => {
      if (sent) return redis[command](script, keys, args);
      sent = true;
      const pipeline = redis.pipeline();
      for (const ride of commands) {
        if ("get" in ride) pipeline.get(ride.get);
        else pipeline.eval(ride.script, ride.keys, ride.args);
      }
      pipeline[command](script, keys, args);
      const results = await pipeline.exec<unknown[]>({ keepErrors: true });
      const ran = results.at(-1);
      replies = results.slice(0, -1).map((result) => (result.error ? undefined : result.result));
      // Rethrown as the client itself would, so a caller's NOSCRIPT fallback still works.
      if (!ran || ran.error) throw new Error(`Command failed: ${ran?.error ?? "no reply"}`);
      return ran.result;
    };
  const evalsha = scriptCall("evalsha");
  const evaluate = scriptCall("eval");
  const proxy = new Proxy(redis, {
    get(target, property, receiver) {
      if (property === "evalsha") return evalsha;
      if (property === "eval") return evaluate;
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
  return { redis: proxy, replies: () => replies };
}
