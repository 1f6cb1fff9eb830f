import { lauxlib, lua, lualib, to_jsstring, to_luastring, type LuaState } from "fengari";
import { RedisError, Status, type Reply } from "../reply.ts";
import { sha1 } from "../scripts.ts";
import { parseInteger } from "./args.ts";

/**
 * EVAL for the embedded engine: the script runs in fengari (a Lua VM in JavaScript) with
 * Redis's scripting API — KEYS, ARGV, redis.call/pcall, status_reply/error_reply, sha1hex,
 * log — and Redis's reply conversions in both directions (B7). `call` runs one command
 * synchronously, so a script is atomic: nothing else runs until it returns.
 *
 * fengari is Lua 5.3 where Redis embeds 5.1; numbers handed to redis.call are formatted as
 * 5.1 would ("%.14g", so 3.0 is "3"), which is what scripts written for Redis expect.
 */
export function runScript(body: string, keysAndArgs: Buffer[], call: (args: Buffer[]) => Reply): Reply {
  const numKeys = parseInteger(keysAndArgs[0] ?? Buffer.from(""));
  if (numKeys < 0) return new RedisError("ERR Number of keys can't be negative");
  if (numKeys > keysAndArgs.length - 1) return new RedisError("ERR Number of keys can't be greater than number of args");
  const sha = sha1(body);
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  const state = { callError: undefined as string | undefined };

  setArrayGlobal(L, "KEYS", keysAndArgs.slice(1, 1 + numKeys));
  setArrayGlobal(L, "ARGV", keysAndArgs.slice(1 + numKeys));
  installRedisApi(L, call, state);
  protectGlobals(L);

  if (lauxlib.luaL_loadbuffer(L, Uint8Array.from(Buffer.from(body)), null, to_luastring("@user_script")) !== lua.LUA_OK) {
    const message = popString(L);
    return new RedisError(`ERR Error compiling script (new function): ${message}`);
  }
  if (lua.lua_pcall(L, 0, 1, 0) !== lua.LUA_OK) {
    if (state.callError) return new RedisError(state.callError.replace("{sha}", sha));
    const message = popString(L);
    const line = /^user_script:(\d+):/.exec(message)?.[1] ?? "0";
    return new RedisError(`ERR ${message} script: ${sha}, on @user_script:${line}.`);
  }
  return toReply(L, -1);
}

function setArrayGlobal(L: LuaState, name: string, values: Buffer[]): void {
  lua.lua_createtable(L, values.length, 0);
  values.forEach((value, i) => {
    lua.lua_pushstring(L, Uint8Array.from(value));
    lua.lua_rawseti(L, -2, i + 1);
  });
  lua.lua_setglobal(L, to_luastring(name));
}

function installRedisApi(L: LuaState, call: (args: Buffer[]) => Reply, state: { callError: string | undefined }): void {
  const api: Record<string, (L: LuaState) => number> = {
    call: (L) => {
      const reply = invoke(L, call);
      if (reply instanceof RedisError) {
        // Redis stops the script and reports where: "<error> script: <sha>, on @user_script:N."
        state.callError = `${reply.message} script: {sha}, on @user_script:${callerLine(L)}.`;
        lua.lua_pushstring(L, to_luastring(reply.message));
        return lua.lua_error(L);
      }
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
  };
  lua.lua_createtable(L, 0, Object.keys(api).length + 4);
  for (const [name, fn] of Object.entries(api)) {
    lua.lua_pushjsfunction(L, fn);
    lua.lua_setfield(L, -2, to_luastring(name));
  }
  ["LOG_DEBUG", "LOG_VERBOSE", "LOG_NOTICE", "LOG_WARNING"].forEach((level, i) => {
    lua.lua_pushinteger(L, i);
    lua.lua_setfield(L, -2, to_luastring(level));
  });
  lua.lua_setglobal(L, to_luastring("redis"));
  // Lua 5.1's global `unpack`, which scripts written for Redis use.
  lua.lua_getglobal(L, to_luastring("table"));
  lua.lua_getfield(L, -1, to_luastring("unpack"));
  lua.lua_setglobal(L, to_luastring("unpack"));
  lua.lua_pop(L, 1);
}

/** Redis 7 refuses reads of undefined globals, which catches typos in scripts. */
function protectGlobals(L: LuaState): void {
  lua.lua_pushglobaltable(L);
  lua.lua_createtable(L, 0, 1);
  lua.lua_pushjsfunction(L, (L) => {
    const name = to_jsstring(lua.lua_tolstring(L, 2) ?? new Uint8Array());
    lua.lua_pushstring(L, to_luastring(`user_script:${callerLine(L)}: Script attempted to access nonexistent global variable '${name}'`));
    return lua.lua_error(L);
  });
  lua.lua_setfield(L, -2, to_luastring("__index"));
  lua.lua_setmetatable(L, -2);
  lua.lua_pop(L, 1);
}

/** Reads redis.call's arguments and runs the command. */
function invoke(L: LuaState, call: (args: Buffer[]) => Reply): Reply {
  const count = lua.lua_gettop(L);
  if (count === 0) return new RedisError("ERR Please specify at least one argument for this redis lib call");
  const args: Buffer[] = [];
  for (let i = 1; i <= count; i++) {
    const type = lua.lua_type(L, i);
    if (type === lua.LUA_TNUMBER) args.push(Buffer.from(formatLua51Number(lua.lua_tonumber(L, i))));
    else if (type === lua.LUA_TSTRING) args.push(Buffer.from(lua.lua_tolstring(L, i) ?? new Uint8Array()));
    else return new RedisError("ERR Lua redis lib command arguments must be strings or integers");
  }
  const name = args[0]!.toString("latin1").toUpperCase();
  if (["EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "SCRIPT", "MULTI", "EXEC"].includes(name)) {
    return new RedisError("ERR This Redis command is not allowed from script");
  }
  const reply = call(args);
  if (!(reply instanceof RedisError)) return reply;
  // Scripts get Redis's script-specific texts for these two.
  if (reply.message.startsWith("ERR unknown command")) return new RedisError("ERR Unknown Redis command called from script");
  if (reply.message.startsWith("ERR wrong number of arguments")) {
    return new RedisError("ERR Wrong number of args calling Redis command from script");
  }
  return reply;
}

// Lua 5.1 prints numbers with "%.14g".
function formatLua51Number(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value);
  return Number(value.toPrecision(14)).toString();
}

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

function callerLine(L: LuaState): number {
  const ar = new lua.lua_Debug();
  return lua.lua_getstack(L, 1, ar) && lua.lua_getinfo(L, to_luastring("l"), ar) ? ar.currentline : 0;
}
