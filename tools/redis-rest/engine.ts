import type { Reply } from "./reply.ts";

/** What the REST server needs from a Redis engine: a real server, or the embedded one. */
export interface RedisEngine {
  /** "redis", or "embedded", for logs. */
  readonly name: string;
  /**
   * Runs one command. Errors come back as a `RedisError` reply (never thrown), like any
   * other reply; a rejected promise means the engine itself failed.
   */
  command(args: Buffer[]): Promise<Reply>;
  /**
   * Runs commands as MULTI/EXEC: all or nothing at queue time (an unknown command or a
   * wrong arity rejects the whole transaction with `ExecAbortError`), atomically at run time,
   * where a command's runtime error only fails that command (B5).
   */
  multi(commands: Buffer[][]): Promise<Reply[]>;
  close(): Promise<void>;
}

/** The whole transaction was discarded at queue time (B5: 400 EXECABORT). */
export class ExecAbortError extends Error {
  constructor() {
    super("EXECABORT Transaction discarded because of previous errors.");
  }
}
