// The small part of fengari's API (a Lua 5.3 VM in JavaScript) the embedded engine uses.
declare module "fengari" {
  export type LuaState = { readonly __luaState: unique symbol };
  export class lua_Debug {
    currentline: number;
  }
  export const lua: {
    LUA_OK: number;
    LUA_TNIL: number;
    LUA_TBOOLEAN: number;
    LUA_TNUMBER: number;
    LUA_TSTRING: number;
    LUA_TTABLE: number;
    LUA_TFUNCTION: number;
    LUA_REGISTRYINDEX: number;
    lua_Debug: typeof lua_Debug;
    lua_pcall(L: LuaState, nargs: number, nresults: number, msgh: number): number;
    lua_gettop(L: LuaState): number;
    lua_settop(L: LuaState, index: number): void;
    lua_type(L: LuaState, index: number): number;
    lua_toboolean(L: LuaState, index: number): boolean;
    lua_tonumber(L: LuaState, index: number): number;
    lua_tolstring(L: LuaState, index: number): Uint8Array | null;
    lua_pushnil(L: LuaState): void;
    lua_pushboolean(L: LuaState, value: boolean): void;
    lua_pushinteger(L: LuaState, value: number): void;
    lua_pushnumber(L: LuaState, value: number): void;
    lua_pushstring(L: LuaState, value: Uint8Array): void;
    lua_pushjsfunction(L: LuaState, fn: (L: LuaState) => number): void;
    lua_createtable(L: LuaState, narr: number, nrec: number): void;
    lua_newtable(L: LuaState): void;
    lua_pushvalue(L: LuaState, index: number): void;
    lua_insert(L: LuaState, index: number): void;
    lua_remove(L: LuaState, index: number): void;
    lua_gettable(L: LuaState, index: number): number;
    lua_next(L: LuaState, index: number): number;
    lua_setupvalue(L: LuaState, funcindex: number, n: number): Uint8Array | null;
    lua_rawseti(L: LuaState, index: number, n: number): void;
    lua_rawset(L: LuaState, index: number): void;
    lua_rawgeti(L: LuaState, index: number, n: number): number;
    lua_setfield(L: LuaState, index: number, key: Uint8Array): void;
    lua_getfield(L: LuaState, index: number, key: Uint8Array): number;
    lua_setglobal(L: LuaState, name: Uint8Array): void;
    lua_getglobal(L: LuaState, name: Uint8Array): number;
    lua_setmetatable(L: LuaState, index: number): void;
    lua_pushglobaltable(L: LuaState): void;
    lua_error(L: LuaState): never;
    lua_getstack(L: LuaState, level: number, ar: lua_Debug): number;
    lua_getinfo(L: LuaState, what: Uint8Array, ar: lua_Debug): number;
    lua_pop(L: LuaState, n: number): void;
  };
  export const lauxlib: {
    luaL_newstate(): LuaState;
    luaL_loadbuffer(L: LuaState, buffer: Uint8Array, size: number | null, name: Uint8Array): number;
  };
  export const lualib: { luaL_openlibs(L: LuaState): void };
  export function to_luastring(value: string): Uint8Array;
  export function to_jsstring(value: Uint8Array): string;
}
