/**
 * The differential test's cases: command sequences that cover every command of the embedded
 * engine's families (strings, keys, hashes, lists, sets, sorted sets, bitmaps, HyperLogLog,
 * pub/sub, scripts, functions, transactions), with the edge cases where an emulator is most
 * likely to drift from Redis (wrong types, bad numbers, option spelling, float formatting,
 * binary data, argument order of checks). `{p}` stands for a key prefix unique to each run,
 * `{lib}` for a FUNCTION library name unique to each run.
 *
 * Pseudo-commands (see the test) keep replies deterministic where Redis leaves them open:
 * `SORTED …` sorts an array reply (hash-table order), `LENGTH …` keeps only its length
 * (random picks), `SCANALL` iterates a whole SCAN, `FUNCTIONS …` is FUNCTION LIST with each
 * library's functions sorted by name.
 */
import { createHash } from "node:crypto";

export type Arg = string | number;

const FLAGGED = "#!lua flags=allow-key-locking\nreturn redis.call('INCR', KEYS[1])";
const FLAGGED_SHA = createHash("sha1").update(FLAGGED).digest("hex");
const INCR_SHA = createHash("sha1").update("return redis.call('INCR', KEYS[1])").digest("hex");
const RUN_AGAIN = "if ARGV[1] == 'fail' then error('asked to') end; return {#KEYS, #ARGV, KEYS[1] or 'none', ARGV[1] or 'none'}";
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
    // The embedded engine compiles a script once and keeps its state: each run must still see
    // only its own KEYS and ARGV, and a run that failed must leave nothing behind.
    name: "one script run again",
    commands: [
      ["EVAL", RUN_AGAIN, 2, "{p}a", "{p}b", "first", "extra"], ["EVAL", RUN_AGAIN, 0],
      ["EVAL", RUN_AGAIN, 1, "{p}c", "second"], ["EVAL", RUN_AGAIN, 0, "fail"], ["EVAL", RUN_AGAIN, 1, "{p}d", "after"],
      ["EVAL", "local t = {}; t[#t + 1] = ARGV[1]; return t", 0, "only"], ["EVAL", "local t = {}; t[#t + 1] = ARGV[1]; return t", 0, "once"],
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
    name: "string commands",
    commands: [
      ["SET", "{p}s", "hello"], ["GETEX", "{p}s"], ["GETEX", "{p}s", "EX", 100], ["TTL", "{p}s"], ["GETEX", "{p}s", "persist"],
      ["TTL", "{p}s"], ["GETEX", "{p}s", "PXAT", 4102444800000], ["PEXPIRETIME", "{p}s"], ["EXPIRETIME", "{p}s"],
      ["GETEX", "{p}s", "EX", 0], ["GETEX", "{p}s", "EX", 10, "PX", 10], ["GETEX", "{p}s", "PERSIST", "EX", 10], ["GETEX", "{p}s", "bogus"],
      ["GETEX", "{p}missing", "EX", "abc"], ["GETEX", "{p}s", "EX", "abc"], ["GETEX", "{p}s", "EXAT", 1], ["EXISTS", "{p}s"],
      ["SET", "{p}s", "v"], ["GETSET", "{p}s", "w"], ["GETSET", "{p}new", "x"], ["GET", "{p}new"], ["GETDEL", "{p}new"], ["GETDEL", "{p}new"],
      ["SETRANGE", "{p}r", 5, "abc"], ["GET", "{p}r"], ["SETRANGE", "{p}r", 0, "XY"], ["SETRANGE", "{p}r", 1, ""], ["SETRANGE", "{p}none", 3, ""],
      ["EXISTS", "{p}none"], ["SETRANGE", "{p}r", -1, "x"], ["SETRANGE", "{p}r", "x", "y"], ["SETRANGE", "{p}r", 536870912, "x"],
      ["SET", "{p}g", "This is a string"], ["GETRANGE", "{p}g", 0, 3], ["GETRANGE", "{p}g", -3, -1], ["GETRANGE", "{p}g", 0, -1],
      ["GETRANGE", "{p}g", 10, 100], ["GETRANGE", "{p}g", -1, -5], ["GETRANGE", "{p}g", 5, 2], ["GETRANGE", "{p}g", -100, 2],
      ["GETRANGE", "{p}missing", 0, -1], ["SUBSTR", "{p}g", 1, 3], ["GETRANGE", "{p}g", "a", 1],
      ["MSETNX", "{p}m1", "1", "{p}m2", "2"], ["MSETNX", "{p}m2", "x", "{p}m3", "3"], ["MGET", "{p}m1", "{p}m2", "{p}m3"], ["MSETNX", "{p}m1"],
      ["SET", "{p}d", "5"], ["DECRBY", "{p}d", "-9223372036854775808"], ["INCRBY", "{p}d", "9223372036854775807"],
      ["APPEND", "{p}ap", "a"], ["APPEND", "{p}ap", "bc"], ["HSET", "{p}h", "f", "v"], ["GETEX", "{p}h"], ["GETSET", "{p}h", "v"],
      ["SETRANGE", "{p}h", 0, "v"], ["GETRANGE", "{p}h", 0, 1], ["SET", "{p}x", "v", "EXAT", 4102444800], ["EXPIRETIME", "{p}x"],
      ["SET", "{p}x", "v", "GET", "NX"], ["SET", "{p}x", "v", "PXAT", 0],
    ],
  },
  {
    name: "lcs",
    commands: [
      ["MSET", "{p}a", "ohmytext", "{p}b", "mynewtext"], ["LCS", "{p}a", "{p}b"], ["LCS", "{p}a", "{p}b", "LEN"],
      ["LCS", "{p}a", "{p}b", "IDX"], ["LCS", "{p}a", "{p}b", "IDX", "MINMATCHLEN", 4, "WITHMATCHLEN"],
      ["LCS", "{p}a", "{p}b", "idx", "withmatchlen"], ["LCS", "{p}a", "{p}b", "LEN", "IDX"], ["LCS", "{p}a", "{p}missing"],
      ["LCS", "{p}a", "{p}b", "MINMATCHLEN"], ["LCS", "{p}a", "{p}b", "MINMATCHLEN", "x"], ["RPUSH", "{p}l", "x"], ["LCS", "{p}a", "{p}l"],
    ],
  },
  {
    name: "keys: copy, rename, touch, expiretime",
    commands: [
      ["SET", "{p}s", "v", "EX", 100], ["COPY", "{p}s", "{p}c"], ["GET", "{p}c"], ["TTL", "{p}c"], ["COPY", "{p}s", "{p}c"],
      ["COPY", "{p}s", "{p}c", "REPLACE"], ["COPY", "{p}s", "{p}s"], ["COPY", "{p}missing", "{p}c"], ["COPY", "{p}s", "{p}c", "DB", 99],
      ["COPY", "{p}s", "{p}c", "DB", "x"], ["COPY", "{p}s", "{p}c", "BOGUS"], ["HSET", "{p}h", "a", "1"], ["COPY", "{p}h", "{p}h2"],
      ["HSET", "{p}h2", "b", "2"], ["HGETALL", "{p}h"], ["HGETALL", "{p}h2"], ["RPUSH", "{p}l", "a", "b"], ["COPY", "{p}l", "{p}l2"],
      ["RPUSH", "{p}l2", "c"], ["LRANGE", "{p}l", 0, -1], ["ZADD", "{p}z", 1, "m"], ["COPY", "{p}z", "{p}z2"], ["ZRANGE", "{p}z2", 0, -1, "WITHSCORES"],
      ["SADD", "{p}st", "x"], ["COPY", "{p}st", "{p}st2"], ["SMEMBERS", "{p}st2"],
      ["RENAME", "{p}s", "{p}s2"], ["EXISTS", "{p}s"], ["TTL", "{p}s2"], ["RENAME", "{p}missing", "{p}x"], ["RENAME", "{p}s2", "{p}s2"],
      ["RENAME", "{p}s2", "{p}h"], ["TYPE", "{p}h"], ["RENAMENX", "{p}h", "{p}l"], ["RENAMENX", "{p}h", "{p}n"], ["RENAMENX", "{p}n", "{p}n"],
      ["RENAMENX", "{p}missing", "{p}n"], ["TOUCH", "{p}n", "{p}missing", "{p}l"], ["EXPIRETIME", "{p}missing"], ["EXPIRETIME", "{p}l"],
      ["PEXPIREAT", "{p}l", 4102444800123], ["EXPIRETIME", "{p}l"], ["PEXPIRETIME", "{p}l"], ["EXPIRE", "{p}l", 100, "XX", "GT"],
      ["EXPIRE", "{p}l", "x", "bogus"], ["MEMORY", "USAGE", "{p}l"], ["MEMORY", "USAGE", "{p}missing"], ["MEMORY", "USAGE", "{p}l", "SAMPLES", -1],
      ["MEMORY", "USAGE"], ["MEMORY"], ["FLUSHDB", "bogus"], ["FLUSHALL", "ASYNC", "SYNC"], ["UNLINK", "{p}l", "{p}missing"],
    ],
  },
  {
    name: "hash commands",
    commands: [
      ["HSETNX", "{p}h", "a", "1"], ["HSETNX", "{p}h", "a", "2"], ["HGET", "{p}h", "a"], ["HSET", "{p}h", "b", "hello", "c", "3"],
      ["HSTRLEN", "{p}h", "b"], ["HSTRLEN", "{p}h", "zz"], ["HSTRLEN", "{p}missing", "b"],
      ["HRANDFIELD", "{p}missing"], ["HRANDFIELD", "{p}missing", 3], ["HRANDFIELD", "{p}h", 0], ["HRANDFIELD", "{p}h", 5],
      ["HRANDFIELD", "{p}h", 3, "WITHVALUES"], ["LENGTH", "HRANDFIELD", "{p}h", -5], ["LENGTH", "HRANDFIELD", "{p}h", -5, "WITHVALUES"],
      ["LENGTH", "HRANDFIELD", "{p}h", 2], ["HRANDFIELD", "{p}h", 1, "bogus"], ["HRANDFIELD", "{p}h", "x"],
      ["HRANDFIELD", "{p}h", "-9223372036854775807", "WITHVALUES"], ["HSCAN", "{p}h", 0], ["HSCAN", "{p}h", 0, "MATCH", "[ab]", "COUNT", 1],
      ["HSCAN", "{p}h", 0, "COUNT", 0], ["HSCAN", "{p}h", "x"], ["HSCAN", "{p}h", 0, "TYPE", "string"], ["HSCAN", "{p}missing", 0, "BOGUS"],
      ["HSCAN", "{p}h", 7], ["SET", "{p}s", "v"], ["HSCAN", "{p}s", 0], ["HSETNX", "{p}s", "f", "v"], ["HRANDFIELD", "{p}s"],
      ["HINCRBYFLOAT", "{p}h", "c", "inf"],
    ],
  },
  {
    name: "list commands",
    commands: [
      ["RPUSH", "{p}l", "a", "b", "c", "b", "d", "b"], ["LINDEX", "{p}l", 0], ["LINDEX", "{p}l", -1], ["LINDEX", "{p}l", 10],
      ["LINDEX", "{p}l", "x"], ["LINDEX", "{p}missing", 0], ["LSET", "{p}l", 1, "B"], ["LSET", "{p}l", 10, "x"], ["LSET", "{p}missing", 0, "x"],
      ["LINSERT", "{p}l", "BEFORE", "c", "x"], ["LINSERT", "{p}l", "after", "d", "y"], ["LINSERT", "{p}l", "AFTER", "zz", "y"],
      ["LINSERT", "{p}missing", "AFTER", "a", "b"], ["LINSERT", "{p}l", "middle", "a", "b"], ["LRANGE", "{p}l", 0, -1],
      ["LPOS", "{p}l", "b"], ["LPOS", "{p}l", "b", "RANK", 2], ["LPOS", "{p}l", "b", "RANK", -1], ["LPOS", "{p}l", "b", "COUNT", 0],
      ["LPOS", "{p}l", "b", "COUNT", 1, "RANK", -1], ["LPOS", "{p}l", "b", "MAXLEN", 3, "COUNT", 0], ["LPOS", "{p}l", "zz"],
      ["LPOS", "{p}l", "zz", "COUNT", 2], ["LPOS", "{p}l", "b", "RANK", 0], ["LPOS", "{p}l", "b", "COUNT", -1], ["LPOS", "{p}l", "b", "MAXLEN", -1],
      ["LPOS", "{p}l", "b", "BOGUS"], ["LPOS", "{p}missing", "b"], ["LPOS", "{p}missing", "b", "COUNT", 1],
      ["LREM", "{p}l", 1, "b"], ["LREM", "{p}l", -1, "b"], ["LREM", "{p}l", 0, "zz"], ["LRANGE", "{p}l", 0, -1], ["LREM", "{p}l", "x", "a"],
      ["LPUSHX", "{p}missing", "a"], ["RPUSHX", "{p}missing", "a"], ["EXISTS", "{p}missing"], ["LPUSHX", "{p}l", "p", "q"], ["RPUSHX", "{p}l", "r"],
      ["LMOVE", "{p}l", "{p}m", "LEFT", "RIGHT"], ["LMOVE", "{p}l", "{p}m", "RIGHT", "LEFT"], ["LMOVE", "{p}l", "{p}l", "LEFT", "LEFT"],
      ["LMOVE", "{p}l", "{p}m", "UP", "LEFT"], ["LMOVE", "{p}missing", "{p}m", "LEFT", "LEFT"], ["LRANGE", "{p}m", 0, -1],
      ["RPOPLPUSH", "{p}l", "{p}m"], ["LMPOP", 2, "{p}missing", "{p}m", "LEFT"], ["LMPOP", 2, "{p}missing", "{p}l", "RIGHT", "COUNT", 2],
      ["LMPOP", 1, "{p}missing", "LEFT"], ["LMPOP", 0, "{p}l", "LEFT"], ["LMPOP", 3, "{p}l", "LEFT"], ["LMPOP", 1, "{p}l", "LEFT", "COUNT", 0],
      ["LMPOP", 1, "{p}l", "LEFT", "COUNT", 1, "COUNT", 1], ["LMPOP", 1, "{p}l", "SIDEWAYS"], ["LPOP", "{p}l", 1, 2],
      ["LPOP", "{p}l", 0], ["LPOP", "{p}l", -1], ["SET", "{p}s", "v"], ["LMOVE", "{p}m", "{p}s", "LEFT", "LEFT"], ["LRANGE", "{p}m", 0, -1],
      ["LMPOP", 2, "{p}s", "{p}m", "LEFT"], ["RPUSHX", "{p}s", "x"], ["LINDEX", "{p}s", 0], ["LPOS", "{p}s", "x"],
      ["LMOVE", "{p}m", "{p}m", "LEFT", "RIGHT"], ["LRANGE", "{p}m", 0, -1], ["LTRIM", "{p}m", 1, 0], ["EXISTS", "{p}m"],
    ],
  },
  {
    name: "set commands",
    commands: [
      ["SADD", "{p}a", "1", "2", "3", "4"], ["SADD", "{p}b", "3", "4", "5"], ["SADD", "{p}c", "x", "4", "y"],
      ["SINTER", "{p}a", "{p}b"], ["SORTED", "SINTER", "{p}a", "{p}b", "{p}c"], ["SINTER", "{p}a", "{p}missing"], ["SUNION", "{p}a", "{p}b"],
      ["SORTED", "SUNION", "{p}a", "{p}c", "{p}missing"], ["SDIFF", "{p}a", "{p}b"], ["SORTED", "SDIFF", "{p}c", "{p}a"], ["SDIFF", "{p}missing", "{p}a"],
      ["SINTERSTORE", "{p}d", "{p}a", "{p}b"], ["SMEMBERS", "{p}d"], ["SINTERSTORE", "{p}d", "{p}a", "{p}missing"], ["EXISTS", "{p}d"],
      ["SUNIONSTORE", "{p}d", "{p}a", "{p}c"], ["SDIFFSTORE", "{p}d", "{p}a", "{p}a"], ["EXISTS", "{p}d"], ["SDIFFSTORE", "{p}a2", "{p}a", "{p}b"],
      ["SMEMBERS", "{p}a2"], ["SINTERCARD", 2, "{p}a", "{p}b"], ["SINTERCARD", 2, "{p}a", "{p}b", "LIMIT", 1], ["SINTERCARD", 1, "{p}a", "LIMIT", 0],
      ["SINTERCARD", 0, "{p}a"], ["SINTERCARD", 3, "{p}a"], ["SINTERCARD", 1, "{p}a", "LIMIT", -1], ["SINTERCARD", 1, "{p}a", "BOGUS"],
      ["SMOVE", "{p}a", "{p}b", "1"], ["SMOVE", "{p}a", "{p}b", "zz"], ["SMOVE", "{p}missing", "{p}b", "1"], ["SMOVE", "{p}b", "{p}b", "1"],
      ["SMOVE", "{p}b", "{p}b", "zz"], ["SMOVE", "{p}c", "{p}new", "x"], ["SMEMBERS", "{p}new"], ["SMISMEMBER", "{p}missing", "a", "b"],
      ["SADD", "{p}one", "only"], ["SPOP", "{p}one"], ["EXISTS", "{p}one"], ["SPOP", "{p}missing"], ["SPOP", "{p}missing", 2],
      ["SPOP", "{p}a", 0], ["SPOP", "{p}a", -1], ["SPOP", "{p}a", 1, 2], ["SORTED", "SPOP", "{p}a2", 10], ["EXISTS", "{p}a2"],
      ["SRANDMEMBER", "{p}missing"], ["SRANDMEMBER", "{p}missing", 5], ["SRANDMEMBER", "{p}b", 10], ["SORTED", "SRANDMEMBER", "{p}c", 10],
      ["LENGTH", "SRANDMEMBER", "{p}b", -7], ["LENGTH", "SRANDMEMBER", "{p}b", 2], ["SRANDMEMBER", "{p}b", 0], ["SRANDMEMBER", "{p}b", "x"],
      ["SRANDMEMBER", "{p}b", 1, 2], ["SSCAN", "{p}b", 0], ["SSCAN", "{p}b", 0, "MATCH", "[45]"], ["SORTEDSCAN", "SSCAN", "{p}c", 0],
      ["SSCAN", "{p}missing", 0], ["SSCAN", "{p}b", 0, "COUNT", 0], ["SSCAN", "{p}b", "-"], ["SET", "{p}s", "v"], ["SINTER", "{p}a", "{p}s"],
      ["SUNIONSTORE", "{p}s", "{p}missing"], ["EXISTS", "{p}s"], ["SET", "{p}s", "v"], ["SMOVE", "{p}b", "{p}s", "3"], ["SSCAN", "{p}s", 0],
      ["SADD", "{p}int", "10", "-3", "007", "2"], ["SMEMBERS", "{p}int"],
    ],
  },
  {
    name: "sorted set ranges",
    commands: [
      ["ZADD", "{p}z", 0, "a", 0, "b", 0, "c", 0, "d", 0, "e", 0, "f"], ["ZRANGE", "{p}z", "[b", "(e", "BYLEX"],
      ["ZRANGE", "{p}z", "-", "+", "BYLEX", "LIMIT", 1, 2], ["ZRANGE", "{p}z", "+", "-", "BYLEX", "REV", "LIMIT", 0, 3],
      ["ZRANGE", "{p}z", "(c", "+", "BYLEX", "REV"], ["ZRANGE", "{p}z", "[b", "[e", "BYLEX", "WITHSCORES"], ["ZRANGE", "{p}z", "b", "e", "BYLEX"],
      ["ZRANGEBYLEX", "{p}z", "-", "[c"], ["ZREVRANGEBYLEX", "{p}z", "[d", "-", "LIMIT", 1, 1], ["ZRANGEBYLEX", "{p}z", "+", "-"],
      ["ZRANGEBYLEX", "{p}z", "[a", "[a"], ["ZRANGEBYLEX", "{p}z", "(a", "(a"], ["ZLEXCOUNT", "{p}z", "[b", "[d"], ["ZLEXCOUNT", "{p}z", "-", "+"],
      ["ZLEXCOUNT", "{p}z", "x", "+"], ["ZLEXCOUNT", "{p}missing", "-", "+"], ["ZRANGE", "{p}z", "-", "+", "BYLEX", "LIMIT", -1, 2],
      ["ZADD", "{p}u", 1, "b", 2, "a", 3, "d", 4, "c"], ["ZRANGEBYLEX", "{p}u", "[b", "[c"], ["ZRANGEBYLEX", "{p}u", "[a", "+"],
      ["ZREVRANGEBYLEX", "{p}u", "+", "[b"], ["ZLEXCOUNT", "{p}u", "[b", "+"],
      ["ZADD", "{p}s", 1, "one", 2, "two", 3, "three", 4, "four"], ["ZRANGEBYSCORE", "{p}s", "(1", 3, "WITHSCORES"],
      ["ZRANGEBYSCORE", "{p}s", "-inf", "+inf", "LIMIT", 1, 2], ["ZRANGEBYSCORE", "{p}s", "-inf", "+inf", "LIMIT", 5, 2],
      ["ZRANGEBYSCORE", "{p}s", "-inf", "+inf", "LIMIT", 1, -1], ["ZREVRANGEBYSCORE", "{p}s", "+inf", 2, "WITHSCORES", "LIMIT", 0, 2],
      ["ZRANGEBYSCORE", "{p}s", 3, 1], ["ZRANGEBYSCORE", "{p}s", "a", 1], ["ZRANGEBYSCORE", "{p}s", 1, 2, "BYLEX"],
      ["ZREVRANGE", "{p}s", 0, 1, "WITHSCORES"], ["ZREVRANGE", "{p}s", 0, -1, "LIMIT", 0, 1], ["ZREVRANGE", "{p}s", 0, 1, "REV"],
      ["ZRANGE", "{p}s", 3, 1, "BYSCORE", "REV", "WITHSCORES"], ["ZRANGE", "{p}s", 0, -1, "BYSCORE", "BYLEX"], ["ZRANGE", "{p}s", 1, 2, "LIMIT", 0],
      ["ZRANGESTORE", "{p}dst", "{p}s", 1, 2], ["ZRANGE", "{p}dst", 0, -1, "WITHSCORES"], ["ZRANGESTORE", "{p}dst", "{p}s", "+inf", "(2", "BYSCORE", "REV", "LIMIT", 0, 1],
      ["ZRANGE", "{p}dst", 0, -1, "WITHSCORES"], ["ZRANGESTORE", "{p}dst", "{p}z", "[b", "[c", "BYLEX"], ["ZRANGE", "{p}dst", 0, -1],
      ["ZRANGESTORE", "{p}dst", "{p}missing", 0, -1], ["EXISTS", "{p}dst"], ["ZRANGESTORE", "{p}dst", "{p}s", 0, -1, "WITHSCORES"],
      ["ZREVRANK", "{p}s", "one"], ["ZREVRANK", "{p}s", "zz"], ["ZMSCORE", "{p}s", "one", "zz", "four"], ["ZMSCORE", "{p}missing", "a"],
      ["ZREMRANGEBYRANK", "{p}s", 0, 1], ["ZRANGE", "{p}s", 0, -1], ["ZREMRANGEBYLEX", "{p}z", "[b", "(d"], ["ZRANGE", "{p}z", 0, -1],
      ["ZREMRANGEBYLEX", "{p}z", "b", "d"], ["ZREMRANGEBYRANK", "{p}z", "x", 1], ["ZREMRANGEBYRANK", "{p}z", 0, -1], ["EXISTS", "{p}z"],
    ],
  },
  {
    name: "sorted set algebra and pops",
    commands: [
      ["ZADD", "{p}a", 1, "x", 2, "y", 3, "z"], ["ZADD", "{p}b", 10, "y", 20, "z", 30, "w"], ["SADD", "{p}set", "z", "w", "v"],
      ["ZUNION", 2, "{p}a", "{p}b", "WITHSCORES"], ["ZUNION", 2, "{p}a", "{p}b", "WEIGHTS", 2, 0.5, "AGGREGATE", "MAX", "WITHSCORES"],
      ["ZUNION", 3, "{p}a", "{p}b", "{p}set", "AGGREGATE", "min", "WITHSCORES"], ["ZINTER", 2, "{p}a", "{p}b", "WITHSCORES"],
      ["ZINTER", 3, "{p}a", "{p}b", "{p}set", "WITHSCORES"], ["ZINTER", 2, "{p}a", "{p}a", "WEIGHTS", 1, 2, "WITHSCORES"],
      ["ZDIFF", 2, "{p}a", "{p}b", "WITHSCORES"], ["ZDIFF", 2, "{p}b", "{p}set"], ["ZDIFF", 1, "{p}missing"], ["ZINTERCARD", 2, "{p}a", "{p}b"],
      ["ZINTERCARD", 2, "{p}a", "{p}b", "LIMIT", 1], ["ZINTERCARD", 0, "{p}a"], ["ZINTERCARD", 2, "{p}a"], ["ZINTERCARD", 1, "{p}a", "LIMIT", -1],
      ["ZUNION", 0, "{p}a"], ["ZUNION", "x", "{p}a"], ["ZUNION", 1, "{p}a", "WEIGHTS", "w"], ["ZUNION", 1, "{p}a", "AGGREGATE", "avg"],
      ["ZDIFF", 2, "{p}a", "{p}b", "WEIGHTS", 1, 1], ["ZINTER", 1, "{p}a", "BOGUS"],
      ["ZUNIONSTORE", "{p}d", 2, "{p}a", "{p}b", "WEIGHTS", 1, -1], ["ZRANGE", "{p}d", 0, -1, "WITHSCORES"],
      ["ZINTERSTORE", "{p}d", 2, "{p}a", "{p}missing"], ["EXISTS", "{p}d"], ["ZDIFFSTORE", "{p}d", 2, "{p}b", "{p}a"], ["ZRANGE", "{p}d", 0, -1, "WITHSCORES"],
      ["ZUNIONSTORE", "{p}d", 1, "{p}a", "WITHSCORES"], ["ZADD", "{p}inf", "inf", "m", "-inf", "n"],
      ["ZUNION", 2, "{p}inf", "{p}inf", "WEIGHTS", 1, -1, "WITHSCORES"], ["ZINTER", 1, "{p}inf", "WEIGHTS", 0, "WITHSCORES"],
      ["ZADD", "{p}fl", 0.1, "m", 0.2, "n"], ["ZUNION", 3, "{p}fl", "{p}fl", "{p}fl", "WITHSCORES"],
      ["ZPOPMIN", "{p}a"], ["ZPOPMAX", "{p}a", 5], ["EXISTS", "{p}a"], ["ZPOPMIN", "{p}missing"], ["ZPOPMIN", "{p}b", 0], ["ZPOPMIN", "{p}b", -1],
      ["ZPOPMAX", "{p}b", 1, 2], ["ZMPOP", 2, "{p}missing", "{p}b", "MIN"], ["ZMPOP", 1, "{p}b", "MAX", "COUNT", 5], ["ZMPOP", 1, "{p}b", "MAX"],
      ["ZMPOP", 0, "{p}b", "MIN"], ["ZMPOP", 1, "{p}b", "MIDDLE"], ["ZMPOP", 1, "{p}b", "MIN", "COUNT", 0], ["ZMPOP", 2, "{p}b"],
      ["ZADD", "{p}r", 1, "a", 2, "b", 3, "c"], ["ZRANDMEMBER", "{p}missing"], ["ZRANDMEMBER", "{p}r", 0], ["ZRANDMEMBER", "{p}r", 5, "WITHSCORES"],
      ["LENGTH", "ZRANDMEMBER", "{p}r", -6, "WITHSCORES"], ["ZRANDMEMBER", "{p}r", 1, "bogus"], ["ZRANDMEMBER", "{p}missing", 2],
      ["ZSCAN", "{p}r", 0], ["ZSCAN", "{p}r", 0, "MATCH", "b*"], ["ZSCAN", "{p}missing", 0], ["ZADD", "{p}big", "1e17", "m", "1.5", "n", "-0", "o"],
      ["ZSCAN", "{p}big", 0], ["ZRANGE", "{p}big", 0, -1, "WITHSCORES"], ["SET", "{p}str", "v"], ["ZUNION", 2, "{p}r", "{p}str"],
      ["ZPOPMIN", "{p}str"], ["ZINCRBY", "{p}r", "nan", "a"], ["ZINCRBY", "{p}inf", "-inf", "m"],
    ],
  },
  {
    name: "bitmaps",
    commands: [
      ["SETBIT", "{p}b", 7, 1], ["SETBIT", "{p}b", 7, 0], ["SETBIT", "{p}b", 100, 1], ["STRLEN", "{p}b"], ["GETBIT", "{p}b", 100], ["GETBIT", "{p}b", 1000],
      ["GETBIT", "{p}missing", 3], ["SETBIT", "{p}b", -1, 1], ["SETBIT", "{p}b", 1, 2], ["SETBIT", "{p}b", 4294967296, 1], ["GETBIT", "{p}b", "x"],
      ["SET", "{p}s", "foobar"], ["BITCOUNT", "{p}s"], ["BITCOUNT", "{p}s", 0, 0], ["BITCOUNT", "{p}s", 1, 1], ["BITCOUNT", "{p}s", 1, 1, "BYTE"],
      ["BITCOUNT", "{p}s", 5, 30, "BIT"], ["BITCOUNT", "{p}s", -2, -1], ["BITCOUNT", "{p}s", -1, -2], ["BITCOUNT", "{p}s", 0, -100, "BIT"],
      ["BITCOUNT", "{p}s", 0], ["BITCOUNT", "{p}s", 0, 1, "WORD"], ["BITCOUNT", "{p}missing", 0], ["BITCOUNT", "{p}s", "a", 1],
      ["EVAL", "return redis.call('SET', KEYS[1], string.char(255, 240, 0))", 1, "{p}p"],
      ["BITPOS", "{p}p", 0], ["BITPOS", "{p}p", 1], ["BITPOS", "{p}p", 0, 2], ["BITPOS", "{p}p", 1, 2], ["BITPOS", "{p}p", 1, 7, 15, "BIT"],
      ["BITPOS", "{p}p", 0, 0, 11, "BIT"], ["BITPOS", "{p}p", 0, 0, 12, "BIT"], ["BITPOS", "{p}p", 0, 0, -1], ["BITPOS", "{p}p", 0, 0, 0],
      ["BITPOS", "{p}p", 1, -1], ["BITPOS", "{p}p", 2], ["BITPOS", "{p}missing", 0], ["BITPOS", "{p}missing", 1], ["BITPOS", "{p}p", 1, 0, 1, "NIBBLE"],
      ["EVAL", "return redis.call('SET', KEYS[1], string.char(255, 255))", 1, "{p}ones"], ["BITPOS", "{p}ones", 0], ["BITPOS", "{p}ones", 0, 1], ["BITPOS", "{p}ones", 0, 0, -1],
      ["BITPOS", "{p}ones", 0, 3, 9, "BIT"], ["BITPOS", "{p}p", 1, 3, 2], ["SET", "{p}empty", ""], ["BITPOS", "{p}empty", 0], ["BITCOUNT", "{p}empty"],
      ["SET", "{p}x", "abc"], ["SET", "{p}y", "ab"], ["BITOP", "AND", "{p}d", "{p}x", "{p}y"], ["GET", "{p}d"], ["BITOP", "or", "{p}d", "{p}x", "{p}y", "{p}missing"],
      ["GET", "{p}d"], ["BITOP", "XOR", "{p}d", "{p}x", "{p}y"], ["GET", "{p}d"], ["BITOP", "NOT", "{p}d", "{p}x"], ["GET", "{p}d"],
      ["BITOP", "NOT", "{p}d", "{p}x", "{p}y"], ["BITOP", "NAND", "{p}d", "{p}x"], ["BITOP", "AND", "{p}d", "{p}missing"], ["EXISTS", "{p}d"],
      ["RPUSH", "{p}l", "x"], ["BITOP", "AND", "{p}d", "{p}x", "{p}l"], ["SETBIT", "{p}l", 1, 1], ["BITCOUNT", "{p}l"], ["SET", "{p}n", "12"], ["GETBIT", "{p}n", 2],
    ],
  },
  {
    name: "bitfield",
    commands: [
      ["BITFIELD", "{p}f", "SET", "i8", 0, 100, "GET", "i8", 0, "INCRBY", "i8", 0, 100], ["BITFIELD", "{p}f", "OVERFLOW", "SAT", "INCRBY", "i8", 0, 100],
      ["BITFIELD", "{p}f", "OVERFLOW", "FAIL", "INCRBY", "i8", 0, 100, "GET", "u8", 0], ["BITFIELD", "{p}f", "OVERFLOW", "WRAP", "INCRBY", "u2", 100, 1],
      ["BITFIELD", "{p}f", "INCRBY", "u2", 100, 1, "INCRBY", "u2", 100, 1, "INCRBY", "u2", 100, 1], ["BITFIELD", "{p}f", "SET", "u8", "#1", 255, "GET", "u4", "#2"],
      ["BITFIELD", "{p}f", "SET", "i5", 3, -20, "GET", "i5", 3], ["BITFIELD", "{p}f", "OVERFLOW", "SAT", "SET", "i5", 3, -20, "GET", "i5", 3],
      ["BITFIELD", "{p}f", "OVERFLOW", "SAT", "SET", "u5", 3, -1, "INCRBY", "u5", 3, -100], ["BITFIELD", "{p}f", "SET", "u5", 3, -1],
      ["BITFIELD", "{p}f", "SET", "i64", 0, "-9223372036854775808", "INCRBY", "i64", 0, -1], ["BITFIELD", "{p}f", "OVERFLOW", "SAT", "INCRBY", "i64", 0, -1],
      ["BITFIELD", "{p}f", "SET", "u63", 0, 5, "GET", "u63", 0], ["BITFIELD", "{p}f", "GET", "u64", 0], ["BITFIELD", "{p}f", "GET", "i65", 0],
      ["BITFIELD", "{p}f", "GET", "x8", 0], ["BITFIELD", "{p}f", "GET", "i8", -1], ["BITFIELD", "{p}f", "OVERFLOW", "MAYBE"], ["BITFIELD", "{p}f", "GET", "i8"],
      ["BITFIELD", "{p}f", "SET", "i8", 0, "x"], ["BITFIELD", "{p}f"], ["BITFIELD", "{p}missing", "GET", "u8", 0], ["GET", "{p}f"],
      ["BITFIELD_RO", "{p}f", "GET", "u8", 8, "GET", "i16", "#1"], ["BITFIELD_RO", "{p}f", "SET", "u8", 0, 1], ["EXISTS", "{p}missing"],
      ["HSET", "{p}h", "f", "v"], ["BITFIELD", "{p}h", "GET", "u8", 0], ["BITFIELD", "{p}h", "SET", "u8", 0, 1],
    ],
  },
  {
    name: "hyperloglog",
    commands: [
      ["PFADD", "{p}h"], ["GET", "{p}h"], ["PFADD", "{p}h"], ["PFADD", "{p}h", "a", "b", "c"], ["PFADD", "{p}h", "a"], ["PFCOUNT", "{p}h"], ["GET", "{p}h"],
      ["PFADD", "{p}h", "d"], ["GET", "{p}h"], ["PFCOUNT", "{p}h", "{p}missing"], ["PFCOUNT", "{p}missing"], ["EXISTS", "{p}missing"],
      ["EVAL", "for i = 1, 300 do redis.call('PFADD', KEYS[1], 'item' .. i) end; return redis.call('STRLEN', KEYS[1])", 1, "{p}m"],
      ["PFCOUNT", "{p}m"], ["GET", "{p}m"],
      ["EVAL", "local n = {} for i = 1, 3000 do redis.call('PFADD', KEYS[1], 'x' .. i); if i % 250 == 0 then n[#n + 1] = redis.call('PFCOUNT', KEYS[1]) end end return n", 1, "{p}big"],
      ["STRLEN", "{p}big"], ["PFCOUNT", "{p}big", "{p}m", "{p}h"], ["PFMERGE", "{p}merged", "{p}h", "{p}m"], ["PFCOUNT", "{p}merged"], ["GET", "{p}merged"],
      ["PFMERGE", "{p}merged2", "{p}big", "{p}m"], ["PFCOUNT", "{p}merged2"], ["STRLEN", "{p}merged2"], ["PFMERGE", "{p}empty"], ["GET", "{p}empty"],
      ["PFMERGE", "{p}merged", "{p}missing"], ["PFCOUNT", "{p}merged"],
      ...[0, 1, 2, 3].flatMap((batch) => [
        ["PFADD", "{p}huge", ...Array.from({ length: 5000 }, (_, i) => batch * 5000 + i)],
        ["PFCOUNT", "{p}huge"],
      ]),
      ["SET", "{p}s", "not an hll"], ["PFADD", "{p}s", "a"], ["PFCOUNT", "{p}s"], ["PFCOUNT", "{p}s", "{p}h"], ["PFMERGE", "{p}h", "{p}s"],
      ["PFMERGE", "{p}s", "{p}h"], ["RPUSH", "{p}l", "x"], ["PFADD", "{p}l", "a"], ["PFCOUNT", "{p}l"],
      // A sparse HLL whose opcodes do not cover the 16384 registers: corrupt.
      ["EVAL", "return redis.call('SET', KEYS[1], 'HYLL' .. string.char(1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 128, 255))", 1, "{p}bad"],
      ["PFCOUNT", "{p}bad"], ["PFADD", "{p}bad", "a"], ["PFCOUNT", "{p}bad", "{p}h"],
    ],
  },
  {
    name: "pub/sub without subscribers",
    commands: [
      ["PUBLISH", "{p}channel", "hello"], ["SPUBLISH", "{p}channel", "hello"], ["PUBSUB", "CHANNELS", "{p}*"], ["PUBSUB", "NUMSUB", "{p}a", "{p}b"],
      ["PUBSUB", "NUMSUB"], ["PUBSUB", "SHARDCHANNELS", "{p}*"], ["PUBSUB", "SHARDNUMSUB", "{p}a"], ["PUBSUB", "CHANNELS", "a", "b"],
      ["PUBSUB", "BOGUS"], ["PUBSUB"], ["PUBSUB", "NUMPAT", "x"], ["PUBLISH", "{p}channel"],
      ["EVAL", "return redis.call('PUBLISH', KEYS[1], 'from a script')", 1, "{p}channel"],
    ],
  },
  {
    name: "read-only scripts",
    commands: [
      ["SET", "{p}k", "v"], ["EVAL_RO", "return redis.call('GET', KEYS[1])", 1, "{p}k"], ["EVAL_RO", "return redis.call('DEL', KEYS[1])", 1, "{p}k"],
      ["EVAL_RO", "return redis.pcall('SET', KEYS[1], 'x')", 1, "{p}k"], ["EVAL_RO", "return redis.call('PUBLISH', 'c', 'm')", 0],
      ["EVAL_RO", "return redis.call('PFCOUNT', KEYS[1])", 1, "{p}k"], ["EVAL_RO", "return redis.call('EVAL', 'return 1', 0)", 0],
      ["EVAL_RO", "return redis.call('GET')", 0], ["EVAL_RO", "return redis.call('FUNCTION', 'LIST')", 0], ["GET", "{p}k"],
      ["SCRIPT", "LOAD", "return redis.call('INCR', KEYS[1])"], ["EVALSHA_RO", INCR_SHA, 1, "{p}k"],
      ["EVALSHA_RO", "0000000000000000000000000000000000000000", 0],
      ["EVAL", "#!lua flags=no-writes\nreturn redis.call('SET', KEYS[1], 'x')", 1, "{p}k"],
      ["EVAL", "#!lua flags=no-writes\nreturn redis.call('GET', KEYS[1])", 1, "{p}k"],
      ["EVAL", "x = 1", 0], ["EVAL", "redis.call = nil", 0], ["EVAL", "return {type(loadstring), type(unpack), type(redis.sha1hex)}", 0],
      ["EVAL", "return redis.call('MULTI')", 0], ["EVAL", "return redis.call('SUBSCRIBE', 'c')", 0], ["EVAL", "return redis.call('SUBSCRIBE')", 0],
      ["EVAL", "error({err='MYCODE custom'})", 0], ["EVAL", "error('plain')", 0], ["EVAL", "return redis.call('GET', {})", 0],
      ["EVAL", "return redis.pcall('PUBSUB', 'FOO')", 0], ["EVAL", "return redis.pcall('PUBSUB')", 0],
      ["SCRIPT", "BOGUS"], ["SCRIPT", "LOAD"], ["SCRIPT", "FLUSH", "LAZY"], ["SCRIPT", "KILL"], ["SCRIPT"],
    ],
  },
  {
    name: "functions",
    commands: [
      ["FUNCTION", "LOAD", "#!lua name={lib}\nredis.register_function('{lib}_set', function(keys, args) return redis.call('SET', keys[1], args[1]) end)\nredis.register_function{function_name='{lib}_get', callback=function(keys, args) return redis.call('GET', keys[1]) end, flags={'no-writes'}, description='reads'}\nredis.register_function{function_name='{lib}_bad', callback=function(keys, args) return redis.call('DEL', keys[1]) end, flags={'NO-WRITES', 'allow-oom'}}\nredis.register_function('{lib}_err', function(keys, args) return nosuch end)\n"],
      ["FCALL", "{lib}_set", 1, "{p}k", "v"], ["FCALL", "{lib}_get", 1, "{p}k"], ["FCALL_RO", "{lib}_get", 1, "{p}k"], ["FCALL_RO", "{lib}_set", 1, "{p}k", "w"],
      ["FCALL", "{lib}_bad", 1, "{p}k"], ["FCALL", "{lib}_err", 0], ["FCALL", "{lib}_nosuch", 0], ["FCALL", "{lib}_get", "x"], ["FCALL", "{lib}_get", 2, "{p}k"],
      ["FCALL", "{lib}_get", -1], ["FUNCTIONS", "LIBRARYNAME", "{lib}"], ["FUNCTIONS", "LIBRARYNAME", "{LIB}*", "WITHCODE"],
      ["FUNCTION", "LOAD", "#!lua name={lib}\nredis.register_function('{lib}_x', function() return 1 end)\n"],
      ["FUNCTION", "LOAD", "REPLACE", "#!lua name={lib}\nredis.register_function('{lib}_x', function() return redis.status_reply('FINE') end)\n"],
      ["FCALL", "{lib}_x", 0], ["FCALL", "{lib}_set", 1, "{p}k", "v"], ["FUNCTION", "LOAD", "#!lua name={lib}b\nredis.register_function('{lib}_x', function() end)\n"],
      ["FUNCTION", "LOAD", "#!lua name={lib}b\nlocal x = string.len('a')\n"], ["FUNCTION", "LOAD", "#!lua name={lib}b\nredis.call('GET', 'a')\n"],
      ["FUNCTION", "LOAD", "#!lua name={lib}b\nreturn 1\n"], ["FUNCTION", "LOAD", "#!lua name={lib}b foo=bar\nreturn 1\n"],
["FUNCTION", "LOAD", "#!lua name={lib}b\nredis.register_function('a', function() end)\nredis.register_function('a', function() end)\n"],
      ["FUNCTION", "LOAD", "#!lua name={lib}b\nredis.register_function()\n"], ["FUNCTION", "LOAD", "#!lua name={lib}b\nredis.register_function{function_name='a'}\n"],
      ["FUNCTION", "LOAD", "#!lua name={lib}b\nredis.register_function{function_name='a', callback=function() end, flags={'bogus'}}\n"],
      ["FUNCTION", "LOAD", "#!lua name={lib}b\nredis.register_function(1, 2)\n"], ["FUNCTION", "LOAD", "#!lua name={lib}-b\nreturn 1\n"],
      ["FUNCTION", "LOAD", "#!js name={lib}b\nreturn 1\n"], ["FUNCTION", "LOAD", "#!lua\nreturn 1\n"], ["FUNCTION", "LOAD", "no shebang"],
      ["FUNCTION", "LOAD", "#!lua name={lib}b"], ["FUNCTION", "LOAD", "BOGUS", "#!lua name={lib}b\nreturn 1\n"], ["FUNCTION", "LOAD"],
      ["FUNCTION", "LIST", "BOGUS"], ["FUNCTION", "LIST", "LIBRARYNAME"], ["FUNCTION", "DELETE", "{lib}nosuch"], ["FUNCTION", "FLUSH", "LATER"],
      ["FUNCTION", "BOGUS"], ["FUNCTION"], ["FUNCTION", "KILL"], ["EVAL", "return redis.call('FCALL', 'x', 0)", 0],
      ["FUNCTION", "DELETE", "{lib}"], ["FCALL", "{lib}_x", 0],
    ],
  },
  {
    name: "transaction with an unknown script",
    multi: true,
    commands: [["SET", "{p}t", "1"], ["EVALSHA", "0000000000000000000000000000000000000000", 0], ["INCR", "{p}t"]],
  },
  {
    name: "transaction refused for a script's arity",
    multi: true,
    commands: [["SET", "{p}never", "1"], ["EVAL", "return 1"]],
  },
  {
    name: "transaction with the new families",
    multi: true,
    commands: [
      ["SET", "{p}s", "abc"], ["GET", "{p}s"], ["SETBIT", "{p}s", 7, 0], ["SETRANGE", "{p}s", 1, "Z"], ["GET", "{p}s"],
      ["PFADD", "{p}h", "x"], ["PFCOUNT", "{p}h"], ["ZADD", "{p}z", 1, "a"], ["ZUNIONSTORE", "{p}z2", 1, "{p}z"], ["PUBLISH", "{p}c", "m"],
      ["EVAL_RO", "return redis.call('SET', KEYS[1], 'x')", 1, "{p}s"], ["LMOVE", "{p}missing", "{p}l", "LEFT", "RIGHT"],
    ],
  },
  {
    // Pseudo-commands (see the test): replies that depend on the whole server are reduced
    // to what both engines must agree on.
    name: "server",
    commands: [["INFOHAS", "memory", "used_memory:"], ["DBSIZEPOSITIVE"], ["TIMEPAIR"]],
  },
];
