import { ExecAbortError, type RedisEngine } from "./engine.ts";
import { RedisError, type Reply } from "./reply.ts";
import { isScriptCommand, scriptCommand, ScriptCache, scriptSyntaxError } from "./scripts.ts";
import { text, wrongArgs } from "./embedded/args.ts";
import { bitmapCommands } from "./embedded/bitmaps.ts";
import { isContainer, type Command, type CommandTable } from "./embedded/command.ts";
import { FunctionLibraries } from "./embedded/functions.ts";
import { hashCommands } from "./embedded/hashes.ts";
import { hyperLogLogCommands } from "./embedded/hyperloglog.ts";
import { keyCommands } from "./embedded/keys.ts";
import { Keyspace } from "./embedded/keyspace.ts";
import { listCommands } from "./embedded/lists.ts";
import { runScript, type ScriptCall } from "./embedded/lua-scripts.ts";
import { PubSub } from "./embedded/pubsub.ts";
import { setCommands } from "./embedded/sets.ts";
import { sortedSetCommands } from "./embedded/sorted-sets.ts";
import { stringCommands } from "./embedded/strings.ts";

const DATA_COMMANDS: CommandTable = {
  ...stringCommands,
  ...bitmapCommands,
  ...hyperLogLogCommands,
  ...keyCommands,
  ...hashCommands,
  ...setCommands,
  ...sortedSetCommands,
  ...listCommands,
};

/**
 * Commands Redis has but a script may not call (NOSCRIPT), served outside the command table:
 * scripting itself, and the connection-state commands the REST protocol has no use for.
 * Their arity is checked first, as Redis does.
 */
const NOT_FROM_SCRIPTS: Record<string, number> = {
  EVAL: -3,
  EVALSHA: -3,
  EVAL_RO: -3,
  EVALSHA_RO: -3,
  SCRIPT: -2,
  MULTI: 1,
  EXEC: 1,
  DISCARD: 1,
  WATCH: -2,
  UNWATCH: 1,
  SUBSCRIBE: -2,
  PSUBSCRIBE: -2,
  SSUBSCRIBE: -2,
  UNSUBSCRIBE: -1,
  PUNSUBSCRIBE: -1,
  SUNSUBSCRIBE: -1,
};

/**
 * The zero-install Redis: an in-memory engine in this process, for `npm run dev` and tests
 * when no REDIS_URL is given. It implements Redis 7's commands family by family (see
 * tools/redis-rest/README.md) with Redis's replies and error texts, proven by the
 * differential test against a real Redis (test/tools/redis-engine.differential.test.ts).
 * Every command runs synchronously, so commands, MULTI batches and scripts are atomic as in
 * Redis.
 */
export function createEmbeddedEngine(options: { now?: () => number } = {}): RedisEngine {
  const db = new Keyspace(options.now);
  const scripts = new ScriptCache();
  const pubsub = new PubSub();
  const functions = new FunctionLibraries();
  const commands: CommandTable = {
    ...DATA_COMMANDS,
    ...pubsub.commands(),
    ...functions.commands((readOnly) => (args) => scriptCall(args, readOnly)),
  };

  const run = (args: Buffer[]): Reply => {
    const found = lookup(commands, args);
    return "command" in found ? replyOrError(() => found.command.run(db, args)) : found.error;
  };

  /** redis.call from a script: Redis's script-specific checks and texts, then the command. */
  const scriptCall = (args: Buffer[], readOnly: boolean): Reply => {
    const name = text(args[0]!).toUpperCase();
    const arity = NOT_FROM_SCRIPTS[name];
    if (arity !== undefined) {
      if ((arity > 0 && args.length !== arity) || (arity < 0 && args.length < -arity)) {
        return new RedisError("ERR Wrong number of args calling Redis command from script");
      }
      return new RedisError("ERR This Redis command is not allowed from script");
    }
    const found = lookup(commands, args);
    if ("error" in found) {
      return new RedisError(
        found.unknown ? "ERR Unknown Redis command called from script" : "ERR Wrong number of args calling Redis command from script",
      );
    }
    if (found.command.noscript) return new RedisError("ERR This Redis command is not allowed from script");
    if (readOnly && found.command.write) return new RedisError("ERR Write commands are not allowed from read-only scripts.");
    return replyOrError(() => found.command.run(db, args));
  };

  const runAny = (args: Buffer[]): Reply =>
    replyOrError(() => {
      const scripted = scriptCommand(scripts, args, (body, keysAndArgs, readOnly) => {
        const call: ScriptCall = (callArgs) => scriptCall(callArgs, readOnly);
        return runScript(body, keysAndArgs, call);
      });
      // runScript is synchronous, so the reply is never a promise here; null is a real reply.
      return scripted === undefined ? run(args) : (scripted as Reply);
    });

  return {
    name: "embedded",
    command: (args) => Promise.resolve(runAny(args)),
    multi(batch) {
      // Queue-time checks first: one unknown command or wrong arity discards everything
      // (the server answers 400 EXECABORT), as Redis does before EXEC runs anything. An
      // EVALSHA of an unknown script is not one of them: it fails its own entry at EXEC.
      const refused = batch.some((args) => (isScriptCommand(args) ? scriptSyntaxError(args) : "error" in lookup(commands, args)));
      if (refused) return Promise.reject(new ExecAbortError());
      return Promise.resolve(batch.map(runAny));
    },
    subscribe: (mode, names, listener) => Promise.resolve(pubsub.subscribe(mode, names, listener)),
    close: () => Promise.resolve(),
  };
}

/** Command handlers throw RedisError for Redis-level failures: that is a reply, not a crash. */
function replyOrError(run: () => Reply): Reply {
  try {
    return run();
  } catch (thrown) {
    if (thrown instanceof RedisError) return thrown;
    throw thrown;
  }
}

type Lookup = { command: Command } | { error: RedisError; unknown: boolean };

/**
 * Finds a command (or a container's subcommand) and checks its arity, with Redis's texts:
 * "unknown command", "unknown subcommand … Try X HELP.", "wrong number of arguments for
 * 'x|y' command".
 */
function lookup(commands: CommandTable, args: Buffer[]): Lookup {
  const name = text(args[0] ?? Buffer.alloc(0));
  const entry = Object.hasOwn(commands, name.toUpperCase()) ? commands[name.toUpperCase()] : undefined;
  if (!entry) {
    const shown = args.slice(1).map((arg) => `'${text(arg)}' `).join("");
    return { error: new RedisError(`ERR unknown command '${name}', with args beginning with: ${shown}`), unknown: true };
  }
  const arityError = (arity: number, fullName: string) =>
    (arity > 0 && args.length !== arity) || (arity < 0 && args.length < -arity) ? wrongArgs(fullName) : undefined;
  if (!isContainer(entry)) {
    const error = arityError(entry.arity, name);
    return error ? { error, unknown: false } : { command: entry };
  }
  if (args.length < 2) return { error: wrongArgs(name), unknown: false };
  const typed = text(args[1]!);
  const sub = Object.hasOwn(entry.subcommands, typed.toUpperCase()) ? entry.subcommands[typed.toUpperCase()] : undefined;
  if (!sub) {
    return { error: new RedisError(`ERR unknown subcommand '${typed}'. Try ${name.toUpperCase()} HELP.`), unknown: true };
  }
  const error = arityError(sub.arity, `${name}|${typed}`);
  return error ? { error, unknown: false } : { command: sub };
}
