/**
 * The differential test's cases: command sequences that cover every command the template
 * and @upstash/ratelimit send, with the edge cases where an emulator is most likely to
 * drift from Redis (wrong types, bad numbers, option spelling, float formatting, binary
 * data, scripts). `{p}` stands for a key prefix unique to each run.
 */
import { createHash } from "node:crypto";

export type Arg = string | number;

const FLAGGED = "#!lua flags=allow-key-locking\nreturn redis.call('INCR', KEYS[1])";
const FLAGGED_SHA = createHash("sha1").update(FLAGGED).digest("hex");
export interface Case {
  name: string;
  commands: Arg[][];
  /** Run the commands as one MULTI/EXEC instead of one by one. */
  multi?: boolean;
}

export const CASES: Case[] = [
  {
    name: "strings",
    commands: [
      ["GET", "{p}s"], ["SET", "{p}s", "v"], ["GET", "{p}s"], ["SET", "{p}s", "w", "nx"], ["SET", "{p}s", "w", "XX", "GET"],
      ["SET", "{p}n", "x", "xx"], ["SETNX", "{p}s", "z"], ["SETNX", "{p}t", "z"], ["MSET", "{p}a", "1", "{p}b", "2"],
      ["MGET", "{p}a", "{p}missing", "{p}b"], ["STRLEN", "{p}s"], ["APPEND", "{p}s", "!"], ["GETDEL", "{p}s"], ["GET", "{p}s"],
      ["SET", "{p}u", "héllo 🌍"], ["GET", "{p}u"], ["STRLEN", "{p}u"],
    ],
  },
  {
    name: "set options and errors",
    commands: [
      ["SET", "{p}k", "v", "ex", 0], ["SET", "{p}k", "v", "EX", -5], ["SET", "{p}k", "v", "px", "abc"],
      ["SET", "{p}k", "v", "nx", "xx"], ["SET", "{p}k", "v", "ex", 10, "px", 100], ["SET", "{p}k", "v", "bogus"],
      ["SET", "{p}k", "v", "KeepTtl"], ["SET", "{p}k"], ["MSET", "{p}a"], ["SETEX", "{p}k", 0, "v"],
    ],
  },
  {
    name: "counters",
    commands: [
      ["INCR", "{p}c"], ["INCRBY", "{p}c", 41], ["DECR", "{p}c"], ["DECRBY", "{p}c", 2], ["INCRBY", "{p}c", "1.5"],
      ["SET", "{p}t", "text"], ["INCR", "{p}t"], ["SET", "{p}max", "9223372036854775807"], ["INCR", "{p}max"],
      ["INCRBY", "{p}c", "99999999999999999999"], ["SET", "{p}lead", "012"], ["INCR", "{p}lead"],
    ],
  },
  {
    name: "floats",
    commands: [
      ["INCRBYFLOAT", "{p}f", "10.5"], ["INCRBYFLOAT", "{p}f", "0.1"], ["INCRBYFLOAT", "{p}g", "0.1"],
      ["INCRBYFLOAT", "{p}g", "0.2"], ["INCRBYFLOAT", "{p}g", "1e3"], ["INCRBYFLOAT", "{p}g", "-1000.3"],
      ["INCRBYFLOAT", "{p}g", "abc"], ["SET", "{p}t", "text"], ["INCRBYFLOAT", "{p}t", 1], ["INCRBYFLOAT", "{p}h", 3],
      ["INCRBYFLOAT", "{p}h", "1.50"], ["INCRBYFLOAT", "{p}k", "1000.3"], ["INCRBYFLOAT", "{p}k", "5.0e3"],
      ["INCRBYFLOAT", "{p}k", "-6000.3"], ["INCRBYFLOAT", "{p}k", "0.000001"], ["INCRBYFLOAT", "{p}m", "1e308"],
      ["INCRBYFLOAT", "{p}m", "1e308"], ["INCRBYFLOAT", "{p}q", "123456789012345678"], ["INCRBYFLOAT", "{p}q", "0.5"],
    ],
  },
  {
    name: "expiry",
    commands: [
      ["SET", "{p}k", "v"], ["TTL", "{p}k"], ["PTTL", "{p}missing"], ["EXPIRE", "{p}k", 100], ["TTL", "{p}k"],
      ["EXPIRE", "{p}k", 50, "gt"], ["EXPIRE", "{p}k", 200, "GT"], ["EXPIRE", "{p}k", 300, "NX"], ["EXPIRE", "{p}k", 30, "lt"],
      ["PEXPIRE", "{p}k", 100000, "XX"], ["PTTL", "{p}k"], ["PERSIST", "{p}k"], ["TTL", "{p}k"], ["PERSIST", "{p}k"],
      ["EXPIRE", "{p}missing", 10], ["EXPIRE", "{p}k", "ten"], ["EXPIRE", "{p}k", 10, "nx", "xx"], ["EXPIRE", "{p}k", 0],
      ["EXISTS", "{p}k"], ["SET", "{p}e", "v", "PX", 50], ["SETEX", "{p}x", 100, "v"], ["TTL", "{p}x"],
    ],
  },
  {
    name: "keys",
    commands: [
      ["SET", "{p}a", "1"], ["SET", "{p}b", "2"], ["HSET", "{p}h", "f", "v"], ["EXISTS", "{p}a", "{p}b", "{p}a", "{p}zz"],
      ["TYPE", "{p}a"], ["TYPE", "{p}h"], ["TYPE", "{p}none"], ["DEL", "{p}a", "{p}zz"], ["UNLINK", "{p}b"],
      ["EXISTS", "{p}a"], ["PING"], ["PING", "hello"], ["ECHO", "echo"], ["NOSUCHCMD", "x"], ["GET"],
    ],
  },
  {
    name: "scan",
    commands: [
      ["MSET", "{p}user:1", "a", "{p}user:2", "b", "{p}user:10", "c", "{p}post:1", "d", "{p}u[x]", "e"],
      ["SADD", "{p}user:set", "m"], ["SCANALL", "{p}user:*"], ["SCANALL", "{p}user:?"], ["SCANALL", "{p}user:[12]"],
      ["SCANALL", "{p}u\\[x\\]"], ["SCANALL", "{p}*", "TYPE", "set"], ["SCANALL", "{p}nothing*"],
      ["SCAN", "0", "MATCH"], ["SCAN", "abc"],
    ],
  },
  {
    // stringmatchlen's corners (src/util.c). KEYS replies come in dict order, so KEYS only
    // gets patterns with at most one match, or goes through a script that sorts.
    name: "glob patterns",
    commands: [
      ["MSET", "{p}a", 1, "{p}b", 1, "{p}c", 1, "{p}x", 1, "{p}Z", 1, "{p}-", 1, "{p}]", 1, "{p}*", 1, "{p}?", 1, "{p}\\", 1],
      ["MSET", "{p}ab", 1, "{p}abc", 1, "{p}é", 1, `{p}${"a".repeat(60)}`, 1],
      // Reversed range ends are swapped; `^` negates.
      ["SCANALL", "{p}[z-a]"], ["SCANALL", "{p}[^a-c]"], ["KEYS", "{p}[z-a]bc"], ["KEYS", "{p}[^b-c]b"],
      ["EVAL", "local keys = redis.call('KEYS', ARGV[1]); table.sort(keys); return keys", 0, "{p}[z-a]"],
      // `?` is one byte: é is two in UTF-8.
      ["SCANALL", "{p}?"], ["SCANALL", "{p}??"],
      // Escapes, outside and inside classes; a trailing `\` is a literal backslash.
      ["SCANALL", "{p}\\*"], ["KEYS", "{p}\\?"], ["SCANALL", "{p}[\\]]"], ["SCANALL", "{p}[\\-z]"], ["SCANALL", "{p}\\"],
      ["SCANALL", "{p}\\a\\b"],
      // An unterminated class runs to the end of the pattern; `[a-]` is the range `]`–`a`.
      ["SCANALL", "{p}[ab"], ["SCANALL", "{p}[a-]"], ["SCANALL", "{p}[a-]b"], ["SCANALL", "{p}a[^"], ["KEYS", "{p}a["],
      // `[]` is an empty class (no match), `[^]` any byte; range ends compare as signed chars.
      ["SCANALL", "{p}[]a]"], ["SCANALL", "{p}[^]"], ["SCANALL", "{p}[a-é]"],
      // Many stars: linear in Redis, and must not backtrack exponentially here.
      ["SCANALL", "{p}*****c"], ["SCANALL", "{p}*****!"], ["KEYS", "{p}a*a*a*a*a*a*a*a*a*a*a*a*b"],
      ["SCANALL", "{p}a*a*a*a*a*a*a*a*a*a*a*a*"], ["SCANALL", "{p}**"],
    ],
  },
  {
    name: "hashes",
    commands: [
      ["HSET", "{p}h", "a", "1", "b", "2"], ["HSET", "{p}h", "b", "3", "c", "4"], ["HGET", "{p}h", "b"], ["HGET", "{p}h", "z"],
      ["HMGET", "{p}h", "a", "z", "c"], ["HGETALL", "{p}h"], ["HLEN", "{p}h"], ["HEXISTS", "{p}h", "a"], ["HKEYS", "{p}h"],
      ["HVALS", "{p}h"], ["HDEL", "{p}h", "a", "z"], ["HINCRBY", "{p}h", "c", 10], ["HINCRBY", "{p}h", "new", -3],
      ["HINCRBY", "{p}h", "c", "x"], ["HSET", "{p}h", "t", "text"], ["HINCRBY", "{p}h", "t", 1], ["HINCRBYFLOAT", "{p}h", "f", "0.1"],
      ["HINCRBYFLOAT", "{p}h", "f", "0.2"], ["HMSET", "{p}h", "x", "1"], ["HGETALL", "{p}missing"], ["HSET", "{p}h", "odd"],
      ["HDEL", "{p}h", "b", "c", "new", "t", "f", "x"], ["EXISTS", "{p}h"],
    ],
  },
  {
    name: "sets",
    commands: [
      ["SADD", "{p}s", "a", "b", "a"], ["SADD", "{p}s", "c"], ["SISMEMBER", "{p}s", "a"], ["SISMEMBER", "{p}s", "z"],
      ["SMISMEMBER", "{p}s", "a", "z"], ["SCARD", "{p}s"], ["SMEMBERS", "{p}s"], ["SREM", "{p}s", "a", "z"],
      ["SMEMBERS", "{p}missing"], ["SREM", "{p}s", "b", "c"], ["EXISTS", "{p}s"],
    ],
  },
  {
    name: "sorted sets",
    commands: [
      ["ZADD", "{p}z", 1, "a", 2, "b", 3, "c"], ["ZADD", "{p}z", "1.1", "d"], ["ZSCORE", "{p}z", "d"], ["ZSCORE", "{p}z", "nope"],
      ["ZRANGE", "{p}z", 0, -1], ["ZRANGE", "{p}z", 0, -1, "WITHSCORES"], ["ZRANGE", "{p}z", 1, 2, "rev"],
      ["ZRANGE", "{p}z", "(1", "+inf", "BYSCORE"], ["ZRANGE", "{p}z", "+inf", "-inf", "BYSCORE", "REV", "LIMIT", 0, 2, "withscores"],
      ["ZRANGE", "{p}z", 0, -1, "LIMIT", 0, 1], ["ZADD", "{p}z", "xx", "ch", 5, "a", 9, "zz"], ["ZADD", "{p}z", "nx", 7, "a", 8, "e"],
      ["ZADD", "{p}z", "gt", "ch", 1, "a", 10, "b"], ["ZADD", "{p}z", "incr", 2.5, "a"], ["ZADD", "{p}z", "nx", "xx", 1, "a"],
      ["ZADD", "{p}z", "abc", "a"], ["ZINCRBY", "{p}z", "0.1", "c"], ["ZCARD", "{p}z"], ["ZCOUNT", "{p}z", "-inf", "(3.1"],
      ["ZRANK", "{p}z", "c"], ["ZREMRANGEBYSCORE", "{p}z", "(2", 5], ["ZRANGE", "{p}z", 0, -1, "WITHSCORES"], ["ZREM", "{p}z", "a", "q"],
      ["ZADD", "{p}big", "1e20", "m", "-0.0001", "n", "123456789.123", "o"], ["ZRANGE", "{p}big", 0, -1, "WITHSCORES"],
    ],
  },
  {
    name: "lists",
    commands: [
      ["RPUSH", "{p}l", "a", "b", "c"], ["LPUSH", "{p}l", "z", "y"], ["LRANGE", "{p}l", 0, -1], ["LRANGE", "{p}l", -2, 100],
      ["LRANGE", "{p}l", 3, 1], ["LLEN", "{p}l"], ["LTRIM", "{p}l", 1, -2], ["LRANGE", "{p}l", 0, -1], ["LPOP", "{p}l"],
      ["RPOP", "{p}l", 2], ["LPOP", "{p}missing"], ["LLEN", "{p}missing"], ["EXISTS", "{p}l"],
    ],
  },
  {
    name: "wrong types",
    commands: [
      ["SET", "{p}s", "v"], ["HSET", "{p}h", "f", "v"], ["HGET", "{p}s", "f"], ["GET", "{p}h"], ["SADD", "{p}s", "m"],
      ["ZADD", "{p}h", 1, "m"], ["LPUSH", "{p}s", "x"], ["INCR", "{p}h"], ["SMEMBERS", "{p}h"], ["ZRANGE", "{p}s", 0, -1],
      ["SET", "{p}s", "ok", "GET"], ["SET", "{p}h", "replaced"], ["GET", "{p}h"],
    ],
  },
  {
    name: "binary data",
    commands: [
      ["EVAL", "redis.call('SET', KEYS[1], string.char(255, 0, 65, 200)); return redis.call('GET', KEYS[1])", 1, "{p}bin"],
      ["STRLEN", "{p}bin"], ["EVAL", "return string.len(redis.call('GET', KEYS[1]))", 1, "{p}bin"],
      ["EVAL", "redis.call('HSET', KEYS[1], string.char(254), string.char(1, 2)); return redis.call('HGETALL', KEYS[1])", 1, "{p}hb"],
    ],
  },
  {
    name: "lua conversions",
    commands: [
      ["EVAL", "return {1,'two',{3,'four',{}},2.9,false,true}", 0], ["EVAL", "return 3.99", 0], ["EVAL", "return -3.99", 0],
      ["EVAL", "return redis.status_reply('FINE')", 0], ["EVAL", "return redis.error_reply('MYERR bad')", 0],
      ["EVAL", "return {err='CUSTOM x'}", 0], ["EVAL", "return {ok='GOOD'}", 0], ["EVAL", "return nil", 0],
      ["EVAL", "return {1, nil, 3}", 0], ["EVAL", "return KEYS[1] .. ARGV[1] .. #ARGV", 1, "{p}k", "arg", "more"],
      ["EVAL", "return redis.call('PING')", 0], ["EVAL", "return redis.pcall('INCR', 'x', 'y')", 0],
      ["EVAL", "return redis.sha1hex('abc')", 0], ["EVAL", "redis.call('SET', KEYS[1], 10 / 2); return redis.call('GET', KEYS[1])", 1, "{p}n"],
      ["EVAL", "return redis.call('HMGET', KEYS[1], 'missing')", 1, "{p}h"], ["EVAL", "return tonumber(ARGV[1]) + 1", 0, "41"],
      ["EVAL", "return unpack({1, 2})", 0],
    ],
  },
  {
    name: "lua errors",
    commands: [
      ["SET", "{p}s", "text"], ["EVAL", "return redis.call('INCR', KEYS[1])", 1, "{p}s"],
      ["EVAL", "local r = redis.pcall('INCR', KEYS[1]); return r['err']", 1, "{p}s"],
      ["EVAL", "return redis.call('NOSUCH')", 0], ["EVAL", "return nosuchglobal", 0], ["EVAL", "return redis.call()", 0],
      ["EVAL", "return 1", -1], ["EVAL", "return 1", 3, "a"], ["EVAL", "return 1", "x"], ["EVALSHA", "0000000000000000000000000000000000000000", 0],
    ],
  },
  {
    name: "scripts",
    commands: [
      ["EVALSHA", FLAGGED_SHA, 1, "{p}c"], ["SCRIPT", "LOAD", FLAGGED], ["EVALSHA", FLAGGED_SHA, 1, "{p}c"],
      ["EVALSHA", FLAGGED_SHA.toUpperCase(), 1, "{p}c"], ["SCRIPT", "EXISTS", FLAGGED_SHA],
      ["EVAL", "#!lua flags=allow-key-locking\nreturn ARGV[1]", 0, "flagged"],
      ["SCRIPT", "EXISTS", "0000000000000000000000000000000000000000"],
    ],
  },
  {
    name: "transaction with a runtime error",
    multi: true,
    commands: [["SET", "{p}t", "text"], ["INCR", "{p}t"], ["SET", "{p}after", "1"], ["GET", "{p}after"]],
  },
  {
    name: "transaction refused at queue time",
    multi: true,
    commands: [["SET", "{p}never", "1"], ["GET"]],
  },
  {
    // Pseudo-commands (see the test): replies that depend on the whole server are reduced
    // to what both engines must agree on.
    name: "server",
    commands: [["INFOHAS", "memory", "used_memory:"], ["DBSIZEPOSITIVE"], ["TIMEPAIR"]],
  },
];
