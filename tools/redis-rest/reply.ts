/**
 * RESP2 replies as both engines hand them to the REST layer, which turns each into Upstash's
 * JSON (integers as numbers, nil as null, strings as base64 of their bytes when the client
 * asks): bulk strings as raw bytes, status replies marked apart (Lua sees them as
 * `{ok=...}`), integers, nil, arrays, and errors.
 */
export type Reply = Buffer | Status | number | null | RedisError | Reply[];

/** A status reply such as OK or PONG. */
export class Status {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

/** An error reply; its message starts with the error code, e.g. "WRONGTYPE Operation …". */
export class RedisError extends Error {
  override readonly name = "RedisError";
}

export const OK = new Status("OK");
