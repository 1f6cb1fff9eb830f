import type { Reply } from "../reply.ts";
import type { Keyspace } from "./keyspace.ts";

/** One command of the embedded engine: Redis's arity rule, its flags, and a synchronous handler. */
export interface Command {
  /**
   * As in Redis's command table: N > 0 means exactly N arguments (name included), N < 0
   * means at least |N|. Checked before running, so MULTI can reject at queue time.
   */
  arity: number;
  /**
   * Redis's WRITE or MAY_REPLICATE flag (PUBLISH and PFCOUNT have the latter): a read-only
   * script (EVAL_RO, FCALL_RO, a `no-writes` function) may not call it.
   */
  write?: true;
  /** Redis's NOSCRIPT flag: scripts may not call it (EVAL, FUNCTION LOAD, …). */
  noscript?: true;
  /** Runs synchronously: Lua's redis.call needs a result without awaiting. */
  run(db: Keyspace, args: Buffer[]): Reply;
}

/**
 * A container command (PUBSUB, FUNCTION, OBJECT): `arity` covers the container itself, each
 * subcommand has its own, and errors name them as Redis does (`'pubsub|channels'`).
 */
export interface Container {
  arity: number;
  subcommands: Record<string, Command>;
}

export type CommandTable = Record<string, Command | Container>;

export const isContainer = (entry: Command | Container): entry is Container => "subcommands" in entry;

/**
 * HDEL, SREM, ZREM: `KEY member [member …]` removes members from a collection of `type`,
 * answers how many were there, and drops the key once the collection is empty (Redis keeps
 * no empty collections).
 */
export function removeMembers(type: "hash" | "set" | "zset"): Command {
  return {
    arity: -3,
    write: true,
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
