import { createHash } from "node:crypto";
import { OK, RedisError, Status, type Reply } from "./reply.ts";

/** A cached script: its body with the `#!` line blanked, and whether it declared `no-writes`. */
export interface CachedScript {
  body: string;
  /** `#!lua flags=no-writes`: Redis runs such a script read-only, even through EVAL. */
  noWrites: boolean;
}

/**
 * The script cache both engines share, so an EVALSHA finds a script first sent by EVAL or
 * SCRIPT LOAD. @upstash/ratelimit's scripts start with `#!lua flags=allow-key-locking`, a
 * flag only Upstash knows: real Redis 7 refuses it and Redis 6 sees a syntax error. So the
 * cache keys each script by the SHA1 of its *original* text (what the client computes and
 * sends with EVALSHA) and stores it with the shebang line removed, ready for any engine.
 */
export class ScriptCache {
  readonly #scripts = new Map<string, CachedScript>();

  /** Remembers a script; returns sha1(original) and the runnable script. */
  load(original: Buffer): { sha: string } & CachedScript {
    const sha = sha1(original);
    const text = original.toString("utf8");
    const shebang = text.startsWith("#!") ? (/^#![^\n]*/.exec(text)?.[0] ?? "") : "";
    const script = { body: stripShebang(text), noWrites: /\bflags=(?:\S*,)?no-writes\b/.test(shebang) };
    this.#scripts.set(sha, script);
    return { sha, ...script };
  }

  get(sha: string): CachedScript | undefined {
    return this.#scripts.get(sha.toLowerCase());
  }

  has(sha: string): boolean {
    return this.#scripts.has(sha.toLowerCase());
  }

  flush(): void {
    this.#scripts.clear();
  }
}

/** Real Redis's own NOSCRIPT text: ratelimit falls back to EVAL only on an error containing "NOSCRIPT". */
export const NOSCRIPT = "NOSCRIPT No matching script. Please use EVAL.";

export const sha1 = (data: Buffer | string) => createHash("sha1").update(data).digest("hex");

function stripShebang(script: string): string {
  // Keep the line (empty) so error line numbers stay those of the original script.
  return script.startsWith("#!") ? script.replace(/^#![^\n]*/, "") : script;
}

/**
 * Runs a (shebang-free) script body: `readOnly` for EVAL_RO and EVALSHA_RO, or a script
 * that declared `no-writes`; a write command inside then fails as in Redis.
 */
export type ScriptRunner = (body: string, keysAndArgs: Buffer[], readOnly: boolean) => Reply | Promise<Reply>;

/**
 * Serves EVAL, EVALSHA, their _RO forms and SCRIPT for an engine through the shared cache,
 * with Redis 7's replies and error texts. Returns undefined for any other command.
 */
export function scriptCommand(cache: ScriptCache, args: Buffer[], run: ScriptRunner): Reply | Promise<Reply> | undefined {
  const name = args[0]?.toString("latin1").toUpperCase();
  if (name === "EVAL" || name === "EVAL_RO") {
    if (args.length < 3) return wrongArity(name);
    const script = cache.load(args[1]!);
    return run(script.body, args.slice(2), name === "EVAL_RO" || script.noWrites);
  }
  if (name === "EVALSHA" || name === "EVALSHA_RO") {
    if (args.length < 3) return wrongArity(name);
    const script = cache.get(args[1]!.toString("latin1"));
    return script === undefined ? new RedisError(NOSCRIPT) : run(script.body, args.slice(2), name === "EVALSHA_RO" || script.noWrites);
  }
  if (name === "SCRIPT") return scriptSubcommand(cache, args);
  return undefined;
}

const SCRIPT_ARITY: Record<string, number> = { EVAL: -3, EVALSHA: -3, EVAL_RO: -3, EVALSHA_RO: -3 };
const SCRIPT_SUBCOMMAND_ARITY: Record<string, number> = { LOAD: 3, EXISTS: -3, FLUSH: -2, KILL: 2, HELP: 2, DEBUG: 3 };

/**
 * The queue-time check of a scripting command (what MULTI refuses before EXEC): a wrong
 * number of arguments, or an unknown SCRIPT subcommand. Undefined when it is fine or not a
 * scripting command at all.
 */
export function scriptSyntaxError(args: Buffer[]): RedisError | undefined {
  const name = args[0]?.toString("latin1").toUpperCase() ?? "";
  const arity = SCRIPT_ARITY[name];
  if (arity !== undefined) return args.length < -arity ? wrongArity(name) : undefined;
  if (name !== "SCRIPT") return undefined;
  if (args.length < 2) return wrongArity("script");
  const typed = args[1]!.toString("latin1");
  const sub = typed.toUpperCase();
  const expected = SCRIPT_SUBCOMMAND_ARITY[sub];
  if (expected === undefined) return new RedisError(`ERR unknown subcommand '${typed}'. Try SCRIPT HELP.`);
  if ((expected > 0 && args.length !== expected) || (expected < 0 && args.length < -expected)) {
    return wrongArity(`script|${sub.toLowerCase()}`);
  }
  return undefined;
}

export const isScriptCommand = (args: Buffer[]) =>
  ["EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "SCRIPT"].includes(args[0]?.toString("latin1").toUpperCase() ?? "");

function scriptSubcommand(cache: ScriptCache, args: Buffer[]): Reply {
  const invalid = scriptSyntaxError(args);
  if (invalid) return invalid;
  const sub = args[1]!.toString("latin1").toUpperCase();
  if (sub === "LOAD") return Buffer.from(cache.load(args[2]!).sha);
  if (sub === "EXISTS") return args.slice(2).map((sha) => (cache.has(sha.toString("latin1")) ? 1 : 0));
  if (sub === "FLUSH") {
    const mode = args[2]?.toString("latin1").toUpperCase();
    if (args.length > 3 || (mode !== undefined && mode !== "SYNC" && mode !== "ASYNC")) {
      return new RedisError("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
    }
    cache.flush();
    return OK;
  }
  // Every script runs to completion synchronously here: there is never one to kill.
  if (sub === "KILL") return new RedisError("NOTBUSY No scripts in execution right now.");
  if (sub === "DEBUG") return new RedisError("ERR SCRIPT DEBUG is not supported by the local Upstash server");
  return [
    "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "EXISTS <sha1> [<sha1> ...]",
    "FLUSH [ASYNC|SYNC]",
    "KILL",
    "LOAD <script>",
  ].map((line) => new Status(line));
}

const wrongArity = (name: string) =>
  new RedisError(`ERR wrong number of arguments for '${name.toLowerCase()}' command`);
