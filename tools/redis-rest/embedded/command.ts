import type { Reply } from "../reply.ts";
import type { Keyspace } from "./keyspace.ts";

/** One command of the embedded engine: Redis's arity rule and a synchronous handler. */
export interface Command {
  /**
   * As in Redis's command table: N > 0 means exactly N arguments (name included), N < 0
   * means at least |N|. Checked before running, so MULTI can reject at queue time.
   */
  arity: number;
  /** Runs synchronously: Lua's redis.call needs a result without awaiting. */
  run(db: Keyspace, args: Buffer[]): Reply;
}

export type CommandTable = Record<string, Command>;

/**
 * HDEL, SREM, ZREM: `KEY member [member …]` removes members from a collection of `type`,
 * answers how many were there, and drops the key once the collection is empty (Redis keeps
 * no empty collections).
 */
export function removeMembers(type: "hash" | "set" | "zset"): Command {
  return {
    arity: -3,
    run(db, args) {
      const key = args[1]!.toString("latin1");
      const collection = db.get(key, type);
      if (!collection) return 0;
      const removed = args.slice(2).filter((member) => collection.delete(member.toString("latin1"))).length;
      db.dropIfEmpty(key);
      return removed;
    },
  };
}
