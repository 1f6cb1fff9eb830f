import { lauxlib, lua, lualib, to_jsstring, to_luastring, type LuaState } from "fengari";
import { RedisError, Status, type Reply } from "../reply.ts";
import { sha1 } from "../scripts.ts";
import { formatG, parseInt64 } from "./args.ts";

/**
 * Lua for the embedded engine: EVAL scripts and FUNCTION libraries run in fengari (a Lua VM
 * in JavaScript) with Redis's scripting API — KEYS, ARGV, redis.call/pcall,
 * status_reply/error_reply, sha1hex, log, register_function — Redis's reply conversions in
 * both directions (nil reaches Lua as false, a Lua float comes back as a truncated integer),
 * Redis 7's protected globals, and its error texts ("… script: <sha>, on @user_script:N.").
 *
 * `call` runs one command synchronously with Redis's script rules (the engine checks unknown
 * commands, NOSCRIPT, and writes from a read-only script), so a script is atomic: nothing
 * else runs until it returns.
 *
 * fengari is Lua 5.3 where Redis embeds 5.1: numbers handed to redis.call are formatted as
 * 5.1 would ("%.14g", so 3.0 is "3"), and `unpack` and `loadstring` exist as in 5.1.
 */
export type ScriptCall = (args: Buffer[]) => Reply;

/** Where a script's errors say they happened: "script: <name>, on <source>:<line>." */
interface Origin {
  name: string;
  source: "@user_script" | "@user_function";
}

export function runScript(body: string, keysAndArgs: Buffer[], call: ScriptCall): Reply {
  const numKeys = parseInt64(keysAndArgs[0] ?? Buffer.from(""));
  if (numKeys < 0n) return new RedisError("ERR Number of keys can't be negative");
  if (numKeys > BigInt(keysAndArgs.length - 1)) return new RedisError("ERR Number of keys can't be greater than number of args");
  const keyCount = Number(numKeys);
  // A script that calls back into EVAL never reaches here (scripts may not run EVAL), but a
  // state in use is never shared: such a call would get a state of its own.
  const cached = prepared.get(body);
  if (cached) {
    prepared.delete(body);
    prepared.set(body, cached);
  }
  const script = cached && cached.call === undefined ? cached : prepare(body);
  if (script instanceof RedisError) return script;
  const { L } = script;
  script.call = call;
  try {
    setArrayGlobal(L, "KEYS", keysAndArgs.slice(1, 1 + keyCount));
    setArrayGlobal(L, "ARGV", keysAndArgs.slice(1 + keyCount));
    lua.lua_getfield(L, lua.LUA_REGISTRYINDEX, to_luastring(SCRIPT_KEY));
    return protectedCall(L, 0, script.origin);
  } catch (error) {
    // A JavaScript exception out of the VM may leave the state half-unwound: never reuse it.
    prepared.delete(body);
    throw error;
  } finally {
    script.call = undefined;
    lua.lua_settop(L, 0);
  }
}

/**
 * A script compiled once, in a state of its own with Redis's API installed, kept for its next
 * EVAL as Redis keeps `f_<sha>`: opening Lua's libraries and compiling cost about five times
 * what a short script's run does in fengari. Each script keeps its own state, so nothing one
 * script does to its globals reaches another. `call` is the running EVAL's command runner.
 */
interface PreparedScript {
  L: LuaState;
  origin: Origin;
  call: ScriptCall | undefined;
}

const prepared = new Map<string, PreparedScript>();
/** Distinct scripts kept, least recently used dropped first. */
const PREPARED_LIMIT = 64;
const SCRIPT_KEY = "__edgekit_script";

function prepare(body: string): PreparedScript | RedisError {
  const L = newState();
  const script: PreparedScript = { L, origin: { name: sha1(body), source: "@user_script" }, call: undefined };
  installRedisApi(
    L,
    runApi((args) => (script.call ? script.call(args) : new RedisError("ERR redis.call outside a running script"))),
    script.origin.source,
  );
  // KEYS and ARGV exist before the globals are protected; each run replaces them.
  setArrayGlobal(L, "KEYS", []);
  setArrayGlobal(L, "ARGV", []);
  protectGlobals(L, script.origin.source);
  if (lauxlib.luaL_loadbuffer(L, Uint8Array.from(Buffer.from(body)), null, to_luastring(script.origin.source)) !== lua.LUA_OK) {
    return new RedisError(`ERR Error compiling script (new function): ${popString(L)}`);
  }
  lua.lua_setfield(L, lua.LUA_REGISTRYINDEX, to_luastring(SCRIPT_KEY));
  if (!prepared.has(body)) {
    prepared.set(body, script);
    if (prepared.size > PREPARED_LIMIT) prepared.delete(prepared.keys().next().value!);
  }
  return script;
}

/** A FUNCTION library: its name and code, and what its functions declared. */
export interface Library {
  name: string;
  code: Buffer;
  functions: FunctionInfo[];
}

export interface FunctionInfo {
  name: string;
  description: Buffer | null;
  /** In Redis's order: no-writes, allow-oom, allow-stale, no-cluster, allow-cross-slot-keys. */
  flags: string[];
}

export const FUNCTION_FLAGS = ["no-writes", "allow-oom", "allow-stale", "no-cluster", "allow-cross-slot-keys"];

/**
 * FUNCTION LOAD's parse and first run (functionExtractLibMetaData and luaEngineCreate): the
 * `#!lua name=<lib>` line, then the code run once with only `redis.register_function` (and
 * log) reachable, collecting the functions. Throws Redis's errors.
 */
export function loadLibrary(code: Buffer): Library {
  const source = code.toString("latin1");
  if (!source.startsWith("#!")) throw new RedisError("ERR Missing library metadata");
  const newline = source.indexOf("\n");
  if (newline === -1) throw new RedisError("ERR Invalid library metadata");
  const parts = source.slice(0, newline).split(/\s+/).filter(Boolean);
  const engine = (parts[0] ?? "#!").slice(2);
  let name: string | undefined;
  for (const part of parts.slice(1)) {
    if (part.toLowerCase().startsWith("name=")) {
      if (name !== undefined) throw new RedisError("ERR Invalid metadata value, name argument was given multiple times");
      name = part.slice(5);
      continue;
    }
    throw new RedisError(`ERR Invalid metadata value given: ${part}`);
  }
  if (name === undefined) throw new RedisError("ERR Library name was not given");
  if (!/^[A-Za-z0-9_]+$/.test(name)) {
    throw new RedisError("ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long");
  }
  if (engine.toUpperCase() !== "LUA") throw new RedisError(`ERR Engine '${engine}' not found`);
  const functions: FunctionInfo[] = [];
  const L = newState();
  const failure = loadFunctions(L, code.subarray(newline), functions, () => new RedisError("ERR redis.call is not available while loading"));
  if (failure) throw new RedisError(failure);
  if (functions.length === 0) throw new RedisError("ERR No functions registered");
  return { name, code, functions };
}

/** FCALL: loads the library afresh in a new state, then calls the function with (keys, args). */
export function callFunction(library: Library, name: string, keys: Buffer[], args: Buffer[], call: ScriptCall): Reply {
  const L = newState();
  const newline = library.code.indexOf(0x0a);
  const failure = loadFunctions(L, library.code.subarray(newline), [], call);
  if (failure) return new RedisError(failure);
  lua.lua_getfield(L, lua.LUA_REGISTRYINDEX, to_luastring(FUNCTIONS_KEY));
  lua.lua_getfield(L, -1, to_luastring(name));
  pushArray(L, keys);
  pushArray(L, args);
  return protectedCall(L, 2, { name, source: "@user_function" });
}

const FUNCTIONS_KEY = "__edgekit_functions";

/**
 * Compiles library code with its own globals table, whose lookups first reach only the load
 * API (a global like `string` is "nonexistent" while loading, as in Redis) and, once loading
 * is done, the full globals with the run-time `redis` table. Registered callbacks land in a
 * registry table. Returns Redis's error text on failure.
 */
function loadFunctions(L: LuaState, code: Buffer, functions: FunctionInfo[], call: ScriptCall): string | undefined {
  let loading = true;
  installRedisApi(L, runApi(call), "@user_function");
  lua.lua_newtable(L);
  lua.lua_setfield(L, lua.LUA_REGISTRYINDEX, to_luastring(FUNCTIONS_KEY));

  // The load-time `redis`: register_function and log only; anything else is "nonexistent".
  lua.lua_newtable(L);
  lua.lua_pushjsfunction(L, (L) => registerFunction(L, functions));
  lua.lua_setfield(L, -2, to_luastring("register_function"));
  lua.lua_pushjsfunction(L, () => 0);
  lua.lua_setfield(L, -2, to_luastring("log"));
  setLogLevels(L);
  setMissingGlobalError(L, "@user_function");
  lua.lua_setfield(L, lua.LUA_REGISTRYINDEX, to_luastring(LOAD_API_KEY));

  // The library's globals: an empty table read through its metatable, which never writes.
  lua.lua_newtable(L);
  lua.lua_createtable(L, 0, 2);
  lua.lua_pushjsfunction(L, (L) => {
    if (loading) {
      const key = lua.lua_tolstring(L, 2);
      if (!key || to_jsstring(key) !== "redis") return missingGlobal(L, "@user_function");
      lua.lua_getfield(L, lua.LUA_REGISTRYINDEX, to_luastring(LOAD_API_KEY));
      return 1;
    }
    lua.lua_pushglobaltable(L);
    lua.lua_pushvalue(L, 2);
    lua.lua_gettable(L, -2);
    return 1;
  });
  lua.lua_setfield(L, -2, to_luastring("__index"));
  lua.lua_pushjsfunction(L, (L) => readonlyTable(L, "@user_function"));
  lua.lua_setfield(L, -2, to_luastring("__newindex"));
  lua.lua_setmetatable(L, -2);
  const env = lua.lua_gettop(L);
  protectGlobals(L, "@user_function");

  if (lauxlib.luaL_loadbuffer(L, Uint8Array.from(code), null, to_luastring("@user_function")) !== lua.LUA_OK) {
    return `ERR Error compiling function: ${popString(L)}`;
  }
  lua.lua_pushvalue(L, env);
  lua.lua_setupvalue(L, -2, 1);
  const error = pcallWithOrigin(L, 0);
  loading = false;
  if (error) return `ERR Error registering functions: ${error.err}`;
  lua.lua_settop(L, 0);
  return undefined;
}

const LOAD_API_KEY = "__edgekit_load_api";

/** redis.register_function(name, callback) or redis.register_function{function_name=…, callback=…, flags=…, description=…}. */
function registerFunction(L: LuaState, functions: FunctionInfo[]): number {
  const fail = (message: string) => raiseError(L, `ERR ${message}`);
  const argc = lua.lua_gettop(L);
  if (argc < 1 || argc > 2) return fail("wrong number of arguments to redis.register_function");
  let name: string | undefined;
  let description: Buffer | null = null;
  let flags: string[] = [];
  let callback = false;
  if (argc === 2) {
    if (lua.lua_type(L, 1) !== lua.LUA_TSTRING && lua.lua_type(L, 1) !== lua.LUA_TNUMBER) {
      return fail("first argument to redis.register_function must be a string");
    }
    name = to_jsstring(lua.lua_tolstring(L, 1) ?? new Uint8Array());
    if (lua.lua_type(L, 2) !== lua.LUA_TFUNCTION) return fail("second argument to redis.register_function must be a function");
    lua.lua_pushvalue(L, 2);
  } else {
    if (lua.lua_type(L, 1) !== lua.LUA_TTABLE) {
      return fail("calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).");
    }
    lua.lua_pushnil(L);
    while (lua.lua_next(L, 1) !== 0) {
      if (lua.lua_type(L, -2) !== lua.LUA_TSTRING) return fail("named argument key given to redis.register_function is not a string");
      const key = to_jsstring(lua.lua_tolstring(L, -2) ?? new Uint8Array()).toLowerCase();
      const type = lua.lua_type(L, -1);
      if (key === "function_name") {
        if (type !== lua.LUA_TSTRING) return fail("function_name argument given to redis.register_function must be a string");
        name = to_jsstring(lua.lua_tolstring(L, -1) ?? new Uint8Array());
      } else if (key === "description") {
        if (type !== lua.LUA_TSTRING) return fail("description argument given to redis.register_function must be a string");
        description = Buffer.from(lua.lua_tolstring(L, -1) ?? new Uint8Array());
      } else if (key === "callback") {
        if (type !== lua.LUA_TFUNCTION) return fail("callback argument given to redis.register_function must be a function");
        callback = true;
        lua.lua_pushvalue(L, -1);
        lua.lua_setfield(L, lua.LUA_REGISTRYINDEX, to_luastring("__edgekit_callback"));
      } else if (key === "flags") {
        if (type !== lua.LUA_TTABLE) return fail("flags argument to redis.register_function must be a table representing function flags");
        const read = readFlags(L);
        if (!read) return fail("unknown flag given");
        flags = read;
      } else {
        return fail("unknown argument given to redis.register_function");
      }
      lua.lua_pop(L, 1);
    }
    if (name === undefined) return fail("redis.register_function must get a function name argument");
    if (!callback) return fail("redis.register_function must get a callback argument");
    lua.lua_getfield(L, lua.LUA_REGISTRYINDEX, to_luastring("__edgekit_callback"));
  }
  // functionLibCreateFunction's checks.
  if (!/^[A-Za-z0-9_]+$/.test(name)) {
    return fail("Library names can only contain letters, numbers, or underscores(_) and must be at least one character long");
  }
  if (functions.some((existing) => existing.name === name)) return fail("Function already exists in the library");
  functions.push({ name, description, flags: FUNCTION_FLAGS.filter((flag) => flags.includes(flag)) });
  lua.lua_getfield(L, lua.LUA_REGISTRYINDEX, to_luastring(FUNCTIONS_KEY));
  lua.lua_insert(L, -2);
  lua.lua_setfield(L, -2, to_luastring(name));
  lua.lua_pop(L, 1);
  return 0;
}

/** The flags table on top of the stack: known names only, case-insensitive. */
function readFlags(L: LuaState): string[] | undefined {
  const flags: string[] = [];
  for (let i = 1; ; i++) {
    const type = lua.lua_rawgeti(L, -1, i);
    if (type === lua.LUA_TNIL) {
      lua.lua_pop(L, 1);
      return flags;
    }
    const flag = type === lua.LUA_TSTRING ? to_jsstring(lua.lua_tolstring(L, -1) ?? new Uint8Array()).toLowerCase() : "";
    lua.lua_pop(L, 1);
    if (!FUNCTION_FLAGS.includes(flag)) return undefined;
    flags.push(flag);
  }
}

function newState(): LuaState {
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  // Lua 5.1's globals that scripts written for Redis use.
  lua.lua_getglobal(L, to_luastring("table"));
  lua.lua_getfield(L, -1, to_luastring("unpack"));
  lua.lua_setglobal(L, to_luastring("unpack"));
  lua.lua_pop(L, 1);
  lua.lua_getglobal(L, to_luastring("load"));
  lua.lua_setglobal(L, to_luastring("loadstring"));
  return L;
}

/** Sets a global without its metatable, so it works on protected globals too (as Redis's C does). */
function setArrayGlobal(L: LuaState, name: string, values: Buffer[]): void {
  lua.lua_pushglobaltable(L);
  lua.lua_pushstring(L, to_luastring(name));
  pushArray(L, values);
  lua.lua_rawset(L, -3);
  lua.lua_pop(L, 1);
}

function pushArray(L: LuaState, values: Buffer[]): void {
  lua.lua_createtable(L, values.length, 0);
  values.forEach((value, i) => {
    lua.lua_pushstring(L, Uint8Array.from(value));
    lua.lua_rawseti(L, -2, i + 1);
  });
}

/** The run-time `redis` table's functions. */
function runApi(call: ScriptCall): Record<string, (L: LuaState) => number> {
  return {
    call: (L) => {
      const reply = invoke(L, call);
      // Redis stops the script, reporting the error and where the call was.
      if (reply instanceof RedisError) return raiseError(L, reply.message);
      pushReply(L, reply);
      return 1;
    },
    pcall: (L) => {
      pushReply(L, invoke(L, call));
      return 1;
    },
    status_reply: (L) => pushMarkedTable(L, "ok", lua.lua_tolstring(L, 1) ?? new Uint8Array()),
    error_reply: (L) => pushMarkedTable(L, "err", lua.lua_tolstring(L, 1) ?? new Uint8Array()),
    sha1hex: (L) => {
      lua.lua_pushstring(L, to_luastring(sha1(Buffer.from(lua.lua_tolstring(L, 1) ?? new Uint8Array()))));
      return 1;
    },
    log: () => 0,
    // Effects replication is the only mode in Redis 7: these are no-ops kept for old scripts.
    replicate_commands: (L) => {
      lua.lua_pushboolean(L, true);
      return 1;
    },
    set_repl: () => 0,
    breakpoint: (L) => {
      lua.lua_pushboolean(L, false);
      return 1;
    },
    debug: () => 0,
  };
}

/**
 * Sets the global `redis`: a read-only view (writes fail as on Redis 7) of the API, its
 * constants and log levels.
 */
function installRedisApi(L: LuaState, api: Record<string, (L: LuaState) => number>, source: Origin["source"]): void {
  lua.lua_createtable(L, 0, Object.keys(api).length + 12);
  for (const [name, fn] of Object.entries(api)) {
    lua.lua_pushjsfunction(L, fn);
    lua.lua_setfield(L, -2, to_luastring(name));
  }
  setLogLevels(L);
  lua.lua_pushstring(L, to_luastring("7.0.15"));
  lua.lua_setfield(L, -2, to_luastring("REDIS_VERSION"));
  lua.lua_pushinteger(L, 0x07000f);
  lua.lua_setfield(L, -2, to_luastring("REDIS_VERSION_NUM"));
  ["REPL_NONE", "REPL_SLAVE", "REPL_REPLICA", "REPL_AOF", "REPL_ALL"].forEach((name, i) => {
    lua.lua_pushinteger(L, [0, 2, 2, 1, 3][i]!);
    lua.lua_setfield(L, -2, to_luastring(name));
  });
  const api_ = lua.lua_gettop(L);
  // The visible `redis`: an empty proxy reading through to the API and refusing writes.
  lua.lua_newtable(L);
  lua.lua_createtable(L, 0, 2);
  lua.lua_pushvalue(L, api_);
  lua.lua_setfield(L, -2, to_luastring("__index"));
  lua.lua_pushjsfunction(L, (L) => readonlyTable(L, source));
  lua.lua_setfield(L, -2, to_luastring("__newindex"));
  lua.lua_setmetatable(L, -2);
  lua.lua_setglobal(L, to_luastring("redis"));
  lua.lua_pop(L, 1);
}

function setLogLevels(L: LuaState): void {
  ["LOG_DEBUG", "LOG_VERBOSE", "LOG_NOTICE", "LOG_WARNING"].forEach((level, i) => {
    lua.lua_pushinteger(L, i);
    lua.lua_setfield(L, -2, to_luastring(level));
  });
}

/** On the table on top of the stack: reading a missing field fails as a missing global does in Redis. */
function setMissingGlobalError(L: LuaState, source: Origin["source"]): void {
  lua.lua_createtable(L, 0, 2);
  lua.lua_pushjsfunction(L, (L) => missingGlobal(L, source));
  lua.lua_setfield(L, -2, to_luastring("__index"));
  lua.lua_pushjsfunction(L, (L) => readonlyTable(L, source));
  lua.lua_setfield(L, -2, to_luastring("__newindex"));
  lua.lua_setmetatable(L, -2);
}

/** Redis 7 refuses reads of undefined globals (which catches typos) and any new global. */
function protectGlobals(L: LuaState, source: Origin["source"]): void {
  lua.lua_pushglobaltable(L);
  setMissingGlobalError(L, source);
  lua.lua_pop(L, 1);
}

function missingGlobal(L: LuaState, source: Origin["source"]): never {
  const name = to_jsstring(lua.lua_tolstring(L, 2) ?? new Uint8Array());
  lua.lua_pushstring(L, to_luastring(`${source.slice(1)}:${callerLine(L)}: Script attempted to access nonexistent global variable '${name}'`));
  return lua.lua_error(L);
}

function readonlyTable(L: LuaState, source: Origin["source"]): never {
  lua.lua_pushstring(L, to_luastring(`${source.slice(1)}:${callerLine(L)}: Attempt to modify a readonly table`));
  return lua.lua_error(L);
}

/** Raises a Redis error as Redis's scripting does: a table with `err`, never prefixed again. */
function raiseError(L: LuaState, message: string): never {
  lua.lua_createtable(L, 0, 2);
  lua.lua_pushstring(L, to_luastring(message));
  lua.lua_setfield(L, -2, to_luastring("err"));
  return lua.lua_error(L);
}

/**
 * Calls the function below its `nargs` arguments with a message handler that, like Redis's
 * error_handler, turns a string error into `{err = "ERR " .. msg}` and records the line the
 * error came from. Returns that error, or undefined on success (results left on the stack).
 */
function pcallWithOrigin(L: LuaState, nargs: number): { err: string; line: number } | undefined {
  const base = lua.lua_gettop(L) - nargs;
  lua.lua_pushjsfunction(L, (L) => {
    const line = callerLine(L);
    if (lua.lua_type(L, 1) !== lua.LUA_TTABLE) {
      const message = lua.lua_tolstring(L, 1);
      lua.lua_createtable(L, 0, 2);
      lua.lua_pushstring(L, to_luastring(`ERR ${message ? to_jsstring(message) : "unknown error"}`));
      lua.lua_setfield(L, -2, to_luastring("err"));
    } else {
      lua.lua_pushvalue(L, 1);
    }
    if (lua.lua_getfield(L, -1, to_luastring("line")) === lua.LUA_TNIL) {
      lua.lua_pop(L, 1);
      lua.lua_pushinteger(L, line);
      lua.lua_setfield(L, -2, to_luastring("line"));
    } else {
      lua.lua_pop(L, 1);
    }
    return 1;
  });
  lua.lua_insert(L, base);
  const status = lua.lua_pcall(L, nargs, 1, base);
  lua.lua_remove(L, base);
  if (status === lua.LUA_OK) return undefined;
  if (lua.lua_type(L, -1) !== lua.LUA_TTABLE) return { err: `ERR ${popString(L)}`, line: 0 };
  lua.lua_getfield(L, -1, to_luastring("err"));
  const err = lua.lua_tolstring(L, -1);
  lua.lua_getfield(L, -2, to_luastring("line"));
  const line = lua.lua_tonumber(L, -1);
  lua.lua_pop(L, 3);
  return { err: err ? to_jsstring(err) : "ERR unknown error", line };
}

/** Runs the prepared function and converts its result, or formats its error Redis's way. */
function protectedCall(L: LuaState, nargs: number, origin: Origin): Reply {
  const error = pcallWithOrigin(L, nargs);
  if (error) return new RedisError(`${error.err} script: ${origin.name}, on ${origin.source}:${error.line}.`);
  return toReply(L, -1);
}

/** Reads redis.call's arguments and runs the command. */
function invoke(L: LuaState, call: ScriptCall): Reply {
  const count = lua.lua_gettop(L);
  if (count === 0) return new RedisError("ERR Please specify at least one argument for this redis lib call");
  const args: Buffer[] = [];
  for (let i = 1; i <= count; i++) {
    const type = lua.lua_type(L, i);
    if (type === lua.LUA_TNUMBER) args.push(Buffer.from(formatLua51Number(lua.lua_tonumber(L, i))));
    else if (type === lua.LUA_TSTRING) args.push(Buffer.from(lua.lua_tolstring(L, i) ?? new Uint8Array()));
    else return new RedisError("ERR Lua redis lib command arguments must be strings or integers");
  }
  return call(args);
}

/** Lua 5.1 prints numbers with "%.14g" (fengari's 5.3 would write 3.0 for a float). */
const formatLua51Number = (value: number) => formatG(value, 14);

/** Redis reply → Lua value (Redis's conversion rules). */
function pushReply(L: LuaState, reply: Reply): void {
  if (reply === null) lua.lua_pushboolean(L, false);
  else if (typeof reply === "number") lua.lua_pushinteger(L, reply);
  else if (Buffer.isBuffer(reply)) lua.lua_pushstring(L, Uint8Array.from(reply));
  else if (reply instanceof Status) pushMarkedTable(L, "ok", to_luastring(reply.text));
  else if (reply instanceof RedisError) pushMarkedTable(L, "err", to_luastring(reply.message));
  else {
    lua.lua_createtable(L, reply.length, 0);
    reply.forEach((item, i) => {
      pushReply(L, item);
      lua.lua_rawseti(L, -2, i + 1);
    });
  }
}

function pushMarkedTable(L: LuaState, field: "ok" | "err", value: Uint8Array): number {
  lua.lua_createtable(L, 0, 1);
  lua.lua_pushstring(L, value);
  lua.lua_setfield(L, -2, to_luastring(field));
  return 1;
}

/**
 * Lua value → Redis reply: numbers truncate to integers, true is 1, false and nil are nil,
 * a table with `ok`/`err` is a status/error, any other table an array up to its first nil.
 */
function toReply(L: LuaState, index: number): Reply {
  const type = lua.lua_type(L, index);
  if (type === lua.LUA_TNUMBER) return Math.trunc(lua.lua_tonumber(L, index));
  if (type === lua.LUA_TSTRING) return Buffer.from(lua.lua_tolstring(L, index) ?? new Uint8Array());
  if (type === lua.LUA_TBOOLEAN) return lua.lua_toboolean(L, index) ? 1 : null;
  if (type !== lua.LUA_TTABLE) return null;

  const absolute = index < 0 ? lua.lua_gettop(L) + index + 1 : index;
  for (const field of ["err", "ok"] as const) {
    const fieldType = lua.lua_getfield(L, absolute, to_luastring(field));
    if (fieldType === lua.LUA_TSTRING) {
      const value = popString(L);
      return field === "err" ? new RedisError(value) : new Status(value);
    }
    lua.lua_pop(L, 1);
  }
  const items: Reply[] = [];
  for (let i = 1; ; i++) {
    if (lua.lua_rawgeti(L, absolute, i) === lua.LUA_TNIL) {
      lua.lua_pop(L, 1);
      return items;
    }
    items.push(toReply(L, -1));
    lua.lua_pop(L, 1);
  }
}

function popString(L: LuaState): string {
  const value = lua.lua_tolstring(L, -1);
  lua.lua_pop(L, 1);
  return value ? to_jsstring(value) : "";
}

/** The line of the innermost Lua function on the call stack (JS functions have none). */
function callerLine(L: LuaState): number {
  const ar = new lua.lua_Debug();
  for (let level = 1; lua.lua_getstack(L, level, ar); level++) {
    if (lua.lua_getinfo(L, to_luastring("l"), ar) && ar.currentline > 0) return ar.currentline;
  }
  return 0;
}
