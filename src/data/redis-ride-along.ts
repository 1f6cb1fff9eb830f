import type { Redis } from "./redis";

/** The ride-along command was not sent: the client never ran a script. */
export const NOT_SENT: unique symbol = Symbol("not sent");

export interface RideAlong {
  /** Give this client to the library whose script call the read should ride with. */
  redis: Redis;
  /** The read's reply (deserialised as `GET` does), or `NOT_SENT`. */
  reply(): unknown;
}

/**
 * Sends `GET key` in the same HTTP round trip as the first script call (`EVALSHA`/`EVAL`)
 * that a library makes through the returned client: one pipeline, two commands, one
 * subrequest. Used to read an API key's cached verification together with the rate
 * limiter's own script (`@upstash/ratelimit` runs exactly one script per check), so a
 * verified key costs no request of its own.
 *
 * Every other command, and every script call after the first, goes through untouched. If a
 * library changes how it calls Redis, the read is simply `NOT_SENT` and the caller reads it
 * on its own: slower, never wrong (the subrequest-count test would show it).
 */
export function rideAlong(redis: Redis, key: string): RideAlong {
  let reply: unknown = NOT_SENT;
  let sent = false;
  const scriptCall =
    (command: "evalsha" | "eval") =>
    async (script: string, keys: string[], args: unknown[]): Promise<unknown> => {
      if (sent) return redis[command](script, keys, args);
      sent = true;
      const pipeline = redis.pipeline();
      pipeline.get(key);
      pipeline[command](script, keys, args);
      const [read, ran] = await pipeline.exec<[unknown, unknown]>({ keepErrors: true });
      if (!read.error) reply = read.result;
      // Rethrown as the client itself would, so a caller's NOSCRIPT fallback still works.
      if (ran.error) throw new Error(`Command failed: ${ran.error}`);
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
  return { redis: proxy, reply: () => reply };
}
