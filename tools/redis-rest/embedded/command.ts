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
