import { createHash } from "node:crypto";
import { OK, RedisError, type Reply } from "./reply.ts";

/**
 * The script cache both engines share (B7). @upstash/ratelimit's scripts start with
 * `#!lua flags=allow-key-locking`, a flag only Upstash knows: real Redis 7 refuses it and
 * Redis 6 sees a syntax error. So the cache keys each script by the SHA1 of its *original*
 * text (what the client computes and sends with EVALSHA) and stores it with the shebang
 * line removed, ready for any engine.
 */
export class ScriptCache {
  readonly #scripts = new Map<string, string>();

  /** Remembers a script; returns sha1(original) and the runnable body. */
  load(original: Buffer): { sha: string; body: string } {
    const sha = sha1(original);
    const body = stripShebang(original.toString("utf8"));
    this.#scripts.set(sha, body);
    return { sha, body };
  }

  get(sha: string): string | undefined {
    return this.#scripts.get(sha.toLowerCase());
  }

  has(sha: string): boolean {
    return this.#scripts.has(sha.toLowerCase());
  }

  flush(): void {
    this.#scripts.clear();
  }
}

/** Real Redis's own NOSCRIPT text; ratelimit's fallback to EVAL looks for "NOSCRIPT" (B7). */
export const NOSCRIPT = "NOSCRIPT No matching script. Please use EVAL.";

export const sha1 = (data: Buffer | string) => createHash("sha1").update(data).digest("hex");

function stripShebang(script: string): string {
  // Keep the line (empty) so error line numbers stay those of the original script.
  return script.startsWith("#!") ? script.replace(/^#![^\n]*/, "") : script;
}

/**
 * Serves EVAL, EVALSHA and SCRIPT for an engine through the shared cache; `run` executes a
 * (shebang-free) script body. Returns undefined for any other command.
 */
export function scriptCommand(
  cache: ScriptCache,
  args: Buffer[],
  run: (body: string, keysAndArgs: Buffer[]) => Reply | Promise<Reply>,
): Reply | Promise<Reply> | undefined {
  const name = args[0]?.toString("latin1").toUpperCase();
  if (name === "EVAL" || name === "EVAL_RO") {
    if (args.length < 3) return wrongArity(name);
    return run(cache.load(args[1]!).body, args.slice(2));
  }
  if (name === "EVALSHA" || name === "EVALSHA_RO") {
    if (args.length < 3) return wrongArity(name);
    const body = cache.get(args[1]!.toString("latin1"));
    return body === undefined ? new RedisError(NOSCRIPT) : run(body, args.slice(2));
  }
  if (name === "SCRIPT") {
    const sub = args[1]?.toString("latin1").toUpperCase();
    if (sub === "LOAD" && args.length === 3) return Buffer.from(cache.load(args[2]!).sha);
    if (sub === "EXISTS" && args.length >= 3) return args.slice(2).map((sha) => (cache.has(sha.toString("latin1")) ? 1 : 0));
    if (sub === "FLUSH") {
      cache.flush();
      return OK;
    }
    return new RedisError(`ERR unknown subcommand or wrong number of arguments for 'SCRIPT|${sub ?? ""}'`);
  }
  return undefined;
}

const wrongArity = (name: string) =>
  new RedisError(`ERR wrong number of arguments for '${name.toLowerCase()}' command`);
