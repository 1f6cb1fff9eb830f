import { OK, RedisError, Status, type Reply } from "../reply.ts";
import { bytes, parseInt64, subcommandSyntaxError, text, upper } from "./args.ts";
import type { CommandTable } from "./command.ts";
import { globMatcherNoCase } from "./glob.ts";
import { callFunction, loadLibrary, type Library, type ScriptCall } from "./lua-scripts.ts";

/**
 * Redis 7's functions (functions.c): FUNCTION LOAD/LIST/DELETE/FLUSH/STATS and FCALL,
 * FCALL_RO over a registry of Lua libraries. Like Redis, libraries are server state: FLUSHALL
 * keeps them, FUNCTION FLUSH drops them. DUMP and RESTORE (an RDB payload) are not offered.
 */
export class FunctionLibraries {
  readonly #libraries = new Map<string, Library>();

  /** FCALL and FCALL_RO: `scriptCall(readOnly)` gives redis.call for the run. */
  commands(scriptCall: (readOnly: boolean) => ScriptCall): CommandTable {
    return {
      FUNCTION: {
        arity: -2,
        subcommands: {
          LOAD: { arity: -3, write: true, noscript: true, run: (_, args) => this.#load(args) },
          LIST: { arity: -2, noscript: true, run: (_, args) => this.#list(args) },
          DELETE: {
            arity: 3,
            write: true,
            noscript: true,
            run: (_, [, , name]) => {
              if (!this.#libraries.delete(text(name!))) throw new RedisError("ERR Library not found");
              return OK;
            },
          },
          FLUSH: {
            arity: -2,
            write: true,
            noscript: true,
            run: (_, args) => {
              if (args.length > 3) throw subcommandSyntaxError(args);
              if (args.length === 3 && !["SYNC", "ASYNC"].includes(upper(args[2]))) {
                throw new RedisError("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
              }
              this.#libraries.clear();
              return OK;
            },
          },
          STATS: {
            arity: 2,
            noscript: true,
            run: () => [
              bytes("running_script"),
              null,
              bytes("engines"),
              [bytes("LUA"), [bytes("libraries_count"), this.#libraries.size, bytes("functions_count"), this.#functionCount()]],
            ],
          },
          KILL: { arity: 2, noscript: true, run: () => new RedisError("NOTBUSY No scripts in execution right now.") },
          DUMP: { arity: 2, noscript: true, run: () => unsupported("DUMP") },
          RESTORE: { arity: -3, write: true, noscript: true, run: () => unsupported("RESTORE") },
        },
      },
      FCALL: { arity: -3, noscript: true, write: true, run: (_, args) => this.#call(args, false, scriptCall) },
      FCALL_RO: { arity: -3, noscript: true, run: (_, args) => this.#call(args, true, scriptCall) },
    };
  }

  #functionCount(): number {
    return [...this.#libraries.values()].reduce((sum, library) => sum + library.functions.length, 0);
  }

  #load(args: Buffer[]): Reply {
    let replace = false;
    for (const option of args.slice(2, -1)) {
      if (upper(option) !== "REPLACE") throw new RedisError(`ERR Unknown option given: ${text(option)}`);
      replace = true;
    }
    const library = loadLibrary(args[args.length - 1]!);
    if (this.#libraries.has(library.name) && !replace) throw new RedisError(`ERR Library '${library.name}' already exists`);
    for (const fn of library.functions) {
      const owner = this.#find(fn.name);
      if (owner && owner.library.name !== library.name) throw new RedisError(`ERR Function ${fn.name} already exists`);
    }
    this.#libraries.set(library.name, library);
    return bytes(library.name);
  }

  #list(args: Buffer[]): Reply {
    let withCode = false;
    let pattern: Buffer | undefined;
    for (let i = 2; i < args.length; i++) {
      const option = upper(args[i]);
      if (!withCode && option === "WITHCODE") withCode = true;
      else if (!pattern && option === "LIBRARYNAME") {
        if (i >= args.length - 1) throw new RedisError("ERR library name argument was not given");
        pattern = args[++i]!;
      } else throw new RedisError(`ERR Unknown argument ${text(args[i]!)}`);
    }
    const matches = pattern ? globMatcherNoCase(pattern) : () => true;
    return [...this.#libraries.values()]
      .filter((library) => matches(bytes(library.name)))
      .map((library) => [
        bytes("library_name"),
        bytes(library.name),
        bytes("engine"),
        bytes("LUA"),
        bytes("functions"),
        library.functions.map((fn) => [
          bytes("name"),
          bytes(fn.name),
          bytes("description"),
          fn.description,
          bytes("flags"),
          fn.flags.map((flag) => new Status(flag)),
        ]),
        ...(withCode ? [bytes("library_code"), library.code] : []),
      ]);
  }

  #find(name: string): { library: Library; flags: string[] } | undefined {
    for (const library of this.#libraries.values()) {
      const fn = library.functions.find((candidate) => candidate.name === name);
      if (fn) return { library, flags: fn.flags };
    }
    return undefined;
  }

  #call(args: Buffer[], readOnly: boolean, scriptCall: (readOnly: boolean) => ScriptCall): Reply {
    const name = text(args[1]!);
    const found = this.#find(name);
    if (!found) throw new RedisError("ERR Function not found");
    let numKeys: bigint;
    try {
      numKeys = parseInt64(args[2]!);
    } catch {
      throw new RedisError("ERR Bad number of keys provided");
    }
    if (numKeys > BigInt(args.length - 3)) throw new RedisError("ERR Number of keys can't be greater than number of args");
    if (numKeys < 0n) throw new RedisError("ERR Number of keys can't be negative");
    const noWrites = found.flags.includes("no-writes");
    if (readOnly && !noWrites) throw new RedisError("ERR Can not execute a script with write flag using *_ro command.");
    const keys = args.slice(3, 3 + Number(numKeys));
    return callFunction(found.library, name, keys, args.slice(3 + Number(numKeys)), scriptCall(readOnly || noWrites));
  }
}

const unsupported = (sub: string): never => {
  throw new RedisError(`ERR FUNCTION ${sub} is not supported by the embedded engine`);
};
