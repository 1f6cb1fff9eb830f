import { OK, RedisError, Status, type Reply } from "../reply.ts";
import { bytes, parseCursor, parseInteger, parseRange, SYNTAX, text, upper, wrongArgs } from "./args.ts";
import type { CommandTable } from "./command.ts";
import { keyPatternMatcher } from "./glob.ts";
import type { Keyspace, Value } from "./keyspace.ts";

type ExpiryUnit = { name: string; toAbsoluteMs: (db: Keyspace, amount: number) => number };

const EXPIRY: Record<string, ExpiryUnit> = {
  EXPIRE: { name: "expire", toAbsoluteMs: (db, n) => db.now() + n * 1000 },
  PEXPIRE: { name: "pexpire", toAbsoluteMs: (db, n) => db.now() + n },
  EXPIREAT: { name: "expireat", toAbsoluteMs: (_, n) => n * 1000 },
  PEXPIREAT: { name: "pexpireat", toAbsoluteMs: (_, n) => n },
};

/** EXPIRE and friends, with Redis 7's NX | XX | GT | LT conditions. */
function expire(unit: ExpiryUnit) {
  return {
    arity: -3,
    write: true as const,
    run(db: Keyspace, args: Buffer[]) {
      const key = text(args[1]!);
      // Flags first, then the time, as Redis checks them.
      for (const arg of args.slice(3)) {
        if (!["NX", "XX", "GT", "LT"].includes(upper(arg))) throw new RedisError(`ERR Unsupported option ${text(arg)}`);
      }
      const flags = new Set(args.slice(3).map((arg) => upper(arg)));
      if (flags.has("NX") && flags.size > 1) {
        throw new RedisError("ERR NX and XX, GT or LT options at the same time are not compatible");
      }
      if (flags.has("GT") && flags.has("LT")) throw new RedisError("ERR GT and LT options at the same time are not compatible");
      const at = unit.toAbsoluteMs(db, parseInteger(args[2]!));
      if (!db.exists(key)) return 0;
      const current = db.expiresAt(key);
      if (flags.has("NX") && current !== undefined) return 0;
      if (flags.has("XX") && current === undefined) return 0;
      // A key without a TTL counts as an infinite TTL for GT and LT.
      if (flags.has("GT") && (current === undefined || at <= current)) return 0;
      if (flags.has("LT") && current !== undefined && at >= current) return 0;
      db.setExpiry(key, at);
      return 1;
    },
  };
}

/** TTL, PTTL, EXPIRETIME, PEXPIRETIME (Redis's ttlGenericCommand). */
function ttl(db: Keyspace, key: string, unitMs: number, absolute = false): number {
  if (!db.exists(key)) return -2;
  const at = db.expiresAt(key);
  if (at === undefined) return -1;
  const ms = absolute ? at : Math.max(at - db.now(), 0);
  // Redis rounds seconds to the nearest one: (ms + 500) / 1000.
  return unitMs === 1 ? ms : Math.floor((ms + 500) / unitMs);
}

/** A deep copy of a value, for COPY: the two keys must not share a collection. */
function cloneValue(data: Value): Value {
  switch (data.type) {
    case "string":
      return { type: "string", value: Buffer.from(data.value) };
    case "list":
      return { type: "list", value: [...data.value] };
    case "set":
      return { type: "set", value: new Set(data.value) };
    case "zset":
      return { type: "zset", value: new Map(data.value) };
    case "hash":
      return { type: "hash", value: new Map(data.value) };
  }
}

function copy(db: Keyspace, args: Buffer[]): Reply {
  let replace = false;
  for (let j = 3; j < args.length; j++) {
    const option = upper(args[j]);
    if (option === "REPLACE") replace = true;
    else if (option === "DB" && j < args.length - 1) {
      // One database: any other index is out of range, as for a Redis started with `databases 1`.
      const index = parseRange(args[++j]!, -(2n ** 31n), 2n ** 31n - 1n);
      if (index !== 0) throw new RedisError("ERR DB index is out of range");
    } else throw new RedisError(SYNTAX);
  }
  const [source, target] = [text(args[1]!), text(args[2]!)];
  if (source === target) throw new RedisError("ERR source and destination objects are the same");
  const data = db.value(source);
  if (!data) return 0;
  if (db.exists(target)) {
    if (!replace) return 0;
    db.delete(target);
  }
  db.set(target, cloneValue(data));
  db.setExpiry(target, db.expiresAt(source));
  return 1;
}

function rename(db: Keyspace, [, fromArg, toArg]: Buffer[], nx: boolean): Reply {
  const [from, to] = [text(fromArg!), text(toArg!)];
  if (!db.exists(from)) throw new RedisError("ERR no such key");
  if (from === to) return nx ? 0 : OK;
  if (nx && db.exists(to)) return 0;
  db.rename(from, to);
  return nx ? 1 : OK;
}

function scan(db: Keyspace, args: Buffer[]) {
  const cursor = parseCursor(args[1]!);
  let matches: ((key: Buffer) => boolean) | undefined;
  let count = 10;
  let type: string | undefined;
  for (let i = 2; i < args.length; i += 2) {
    const option = upper(args[i]);
    const value = args[i + 1];
    if (!value) throw new RedisError(SYNTAX);
    if (option === "MATCH") matches = keyPatternMatcher(value);
    else if (option === "COUNT") {
      count = parseInteger(value);
      if (count < 1) throw new RedisError(SYNTAX);
    } else if (option === "TYPE") type = text(value).toLowerCase();
    else throw new RedisError(SYNTAX);
  }
  const { keys, next } = db.scan(cursor, count);
  const matching = keys.filter(
    (key) => (!matches || matches(bytes(key))) && (type === undefined || db.type(key) === type),
  );
  return [bytes(String(next)), matching.map(bytes)];
}

function valueBytes(data: Value): number {
  switch (data.type) {
    case "string":
      return data.value.length;
    case "list":
      return data.value.reduce((sum, item) => sum + item.length + 11, 0);
    case "set":
      return [...data.value].reduce((sum, member) => sum + member.length + 16, 0);
    case "zset":
      return [...data.value.keys()].reduce((sum, member) => sum + member.length + 24, 0);
    case "hash":
      return [...data.value].reduce((sum, [field, value]) => sum + field.length + value.length + 16, 0);
  }
}

/** FLUSHDB and FLUSHALL take an optional ASYNC or SYNC: everything is synchronous here. */
function flush(db: Keyspace, args: Buffer[]): Reply {
  if (args.length > 2 || (args.length === 2 && !["ASYNC", "SYNC"].includes(upper(args[1])))) throw new RedisError(SYNTAX);
  db.clear();
  return OK;
}

function info(db: Keyspace, section: string | undefined): Buffer {
  const keys = db.keys();
  const expiring = keys.filter((key) => db.expiresAt(key) !== undefined).length;
  const memory = db.approximateBytes();
  const sections: Record<string, string[]> = {
    server: ["redis_version:7.0.0", "redis_mode:standalone", "executable:embedded (edgekit local stack)"],
    memory: [`used_memory:${memory}`, `used_memory_human:${(memory / 1024).toFixed(2)}K`],
    keyspace: keys.length ? [`db0:keys=${keys.length},expires=${expiring},avg_ttl=0`] : [],
  };
  const wanted = section === undefined || ["all", "everything", "default"].includes(section) ? Object.keys(sections) : [section];
  const lines = wanted
    .filter((name) => name in sections)
    .map((name) => [`# ${name[0]!.toUpperCase()}${name.slice(1)}`, ...(sections[name] ?? [])].join("\r\n"));
  return bytes(`${lines.join("\r\n\r\n")}\r\n`);
}

export const keyCommands: CommandTable = {
  DEL: { arity: -2, write: true, run: (db, args) => args.slice(1).filter((key) => db.delete(text(key))).length },
  UNLINK: { arity: -2, write: true, run: (db, args) => args.slice(1).filter((key) => db.delete(text(key))).length },
  EXISTS: { arity: -2, run: (db, args) => args.slice(1).filter((key) => db.exists(text(key))).length },
  TOUCH: { arity: -2, run: (db, args) => args.slice(1).filter((key) => db.exists(text(key))).length },
  TYPE: { arity: 2, run: (db, [, key]) => new Status(db.type(text(key!)) ?? "none") },
  COPY: { arity: -3, write: true, run: copy },
  RENAME: { arity: 3, write: true, run: (db, args) => rename(db, args, false) },
  RENAMENX: { arity: 3, write: true, run: (db, args) => rename(db, args, true) },
  RANDOMKEY: { arity: 1, run: (db) => (db.randomKey() === undefined ? null : bytes(db.randomKey()!)) },
  EXPIRE: expire(EXPIRY.EXPIRE!),
  PEXPIRE: expire(EXPIRY.PEXPIRE!),
  EXPIREAT: expire(EXPIRY.EXPIREAT!),
  PEXPIREAT: expire(EXPIRY.PEXPIREAT!),
  TTL: { arity: 2, run: (db, [, key]) => ttl(db, text(key!), 1000) },
  PTTL: { arity: 2, run: (db, [, key]) => ttl(db, text(key!), 1) },
  EXPIRETIME: { arity: 2, run: (db, [, key]) => ttl(db, text(key!), 1000, true) },
  PEXPIRETIME: { arity: 2, run: (db, [, key]) => ttl(db, text(key!), 1, true) },
  PERSIST: {
    arity: 2,
    write: true,
    run(db, [, key]) {
      if (db.expiresAt(text(key!)) === undefined) return 0;
      db.setExpiry(text(key!), undefined);
      return 1;
    },
  },
  SCAN: { arity: -2, run: scan },
  KEYS: {
    arity: 2,
    run(db, [, pattern]) {
      const matches = keyPatternMatcher(pattern!);
      return db.keys().map(bytes).filter(matches);
    },
  },
  DBSIZE: { arity: 1, run: (db) => db.keys().length },
  MEMORY: {
    arity: -2,
    subcommands: {
      // An estimate (key, value bytes and a fixed overhead per key and element), not Redis's
      // allocator-exact figure: enough to compare keys, not to size a server.
      USAGE: {
        arity: -3,
        run(db, args) {
          for (let j = 3; j < args.length; j++) {
            if (upper(args[j]) !== "SAMPLES" || j + 1 >= args.length || parseInteger(args[++j]!) < 0) throw new RedisError(SYNTAX);
          }
          const key = text(args[2]!);
          const data = db.value(key);
          return data ? key.length + 48 + valueBytes(data) : null;
        },
      },
    },
  },
  FLUSHDB: { arity: -1, write: true, run: flush },
  FLUSHALL: { arity: -1, write: true, run: flush },
  INFO: { arity: -1, run: (db, [, section]) => info(db, section && text(section).toLowerCase()) },
  PING: {
    arity: -1,
    run(_, args) {
      if (args.length > 2) throw wrongArgs("ping");
      return args[1] ?? new Status("PONG");
    },
  },
  ECHO: { arity: 2, run: (_, [, message]) => message! },
  TIME: {
    arity: 1,
    run(db) {
      const ms = db.now();
      return [bytes(String(Math.floor(ms / 1000))), bytes(String((ms % 1000) * 1000))];
    },
  },
};
