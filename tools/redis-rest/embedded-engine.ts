import { ExecAbortError, type RedisEngine } from "./engine.ts";
import { RedisError, type Reply } from "./reply.ts";
import { scriptCommand, ScriptCache } from "./scripts.ts";
import { text, wrongArgs } from "./embedded/args.ts";
import type { Command, CommandTable } from "./embedded/command.ts";
import { hashCommands } from "./embedded/hashes.ts";
import { keyCommands } from "./embedded/keys.ts";
import { Keyspace } from "./embedded/keyspace.ts";
import { listCommands } from "./embedded/lists.ts";
import { runScript } from "./embedded/lua-scripts.ts";
import { setCommands } from "./embedded/sets.ts";
import { sortedSetCommands } from "./embedded/sorted-sets.ts";
import { stringCommands } from "./embedded/strings.ts";

const COMMANDS: CommandTable = {
  ...stringCommands,
  ...keyCommands,
  ...hashCommands,
  ...setCommands,
  ...sortedSetCommands,
  ...listCommands,
};

/**
 * The zero-install Redis: an in-memory engine in this process, for `npm run dev` and tests
 * when no REDIS_URL is given. It implements the commands the template and
 * @upstash/ratelimit use with Redis 7's replies and error texts, proven by the differential
 * test against a real Redis (test/tools/redis-engine.differential.test.ts). Every command
 * runs synchronously, so commands, MULTI batches and scripts are atomic as in Redis.
 */
export function createEmbeddedEngine(options: { now?: () => number } = {}): RedisEngine {
  const db = new Keyspace(options.now);
  const scripts = new ScriptCache();

  const run = (args: Buffer[]): Reply => {
    const { command, error } = lookup(args);
    return command ? replyOrError(() => command.run(db, args)) : error;
  };
  const runAny = (args: Buffer[]): Reply =>
    replyOrError(() => {
      const scripted = scriptCommand(scripts, args, (body, keysAndArgs) => runScript(body, keysAndArgs, run));
      // runScript is synchronous, so the reply is never a promise here; null is a real reply.
      return scripted === undefined ? run(args) : (scripted as Reply);
    });

  return {
    name: "embedded",
    command: (args) => Promise.resolve(runAny(args)),
    multi(commands) {
      // Queue-time checks first: one unknown command or wrong arity discards everything (B5).
      if (commands.some((args) => !isScriptCommand(args) && lookup(args).error)) return Promise.reject(new ExecAbortError());
      return Promise.resolve(commands.map(runAny));
    },
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

const isScriptCommand = (args: Buffer[]) =>
  ["EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "SCRIPT"].includes(text(args[0] ?? Buffer.alloc(0)).toUpperCase());

function lookup(args: Buffer[]): { command: Command; error?: undefined } | { command?: undefined; error: RedisError } {
  const name = text(args[0] ?? Buffer.alloc(0));
  const command = COMMANDS[name.toUpperCase()];
  if (!command) {
    const shown = args.slice(1).map((arg) => `'${text(arg)}' `).join("");
    return { error: new RedisError(`ERR unknown command '${name}', with args beginning with: ${shown}`) };
  }
  const { arity } = command;
  if ((arity > 0 && args.length !== arity) || (arity < 0 && args.length < -arity)) return { error: wrongArgs(name) };
  return { command };
}
