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
   * where a command's runtime error only fails that command and the others still apply.
   */
  multi(commands: Buffer[][]): Promise<Reply[]>;
  /**
   * SUBSCRIBE (`channels`) or PSUBSCRIBE (`patterns`) on a connection of its own: the
   * listener hears one confirmation per name, in order, before the promise resolves, then
   * every message published (by PUBLISH through this engine or, on a real Redis, by anyone)
   * until the subscription is closed.
   */
  subscribe(mode: "channels" | "patterns", names: Buffer[], listener: (event: PubSubEvent) => void): Promise<Subscription>;
  close(): Promise<void>;
}

/** Redis's pub/sub pushes, as a subscribed connection receives them. */
export type PubSubEvent =
  | { kind: "subscribe" | "psubscribe"; name: Buffer; count: number }
  | { kind: "message"; channel: Buffer; message: Buffer }
  | { kind: "pmessage"; pattern: Buffer; channel: Buffer; message: Buffer };

export interface Subscription {
  /** Unsubscribes everything and drops the connection. */
  close(): Promise<void>;
}

/** The whole transaction was discarded at queue time; the server answers it with a 400. */
export class ExecAbortError extends Error {
  constructor() {
    super("EXECABORT Transaction discarded because of previous errors.");
  }
}
