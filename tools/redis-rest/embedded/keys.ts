import { OK, RedisError, Status } from "../reply.ts";
import { bytes, parseInteger, SYNTAX, text, upper, wrongArgs } from "./args.ts";
import type { CommandTable } from "./command.ts";
import { keyPatternMatcher } from "./glob.ts";
import type { Keyspace } from "./keyspace.ts";

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
    run(db: Keyspace, args: Buffer[]) {
      const key = text(args[1]!);
      const at = unit.toAbsoluteMs(db, parseInteger(args[2]!));
      const flags = new Set(args.slice(3).map((arg) => upper(arg)));
      for (const flag of flags) if (!["NX", "XX", "GT", "LT"].includes(flag)) throw new RedisError(`ERR Unsupported option ${flag}`);
      if (flags.has("NX") && flags.size > 1) {
        throw new RedisError("ERR NX and XX, GT or LT options at the same time are not compatible");
      }
      if (flags.has("GT") && flags.has("LT")) throw new RedisError("ERR GT and LT options at the same time are not compatible");
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

function ttl(db: Keyspace, key: string, unitMs: number): number {
  if (!db.exists(key)) return -2;
  const at = db.expiresAt(key);
  if (at === undefined) return -1;
  // Redis rounds the remaining seconds to the nearest one.
  return unitMs === 1 ? at - db.now() : Math.round((at - db.now()) / unitMs);
}

function scan(db: Keyspace, args: Buffer[]) {
  const cursor = parseInteger(args[1]!, "ERR invalid cursor");
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
  DEL: { arity: -2, run: (db, args) => args.slice(1).filter((key) => db.delete(text(key))).length },
  UNLINK: { arity: -2, run: (db, args) => args.slice(1).filter((key) => db.delete(text(key))).length },
  EXISTS: { arity: -2, run: (db, args) => args.slice(1).filter((key) => db.exists(text(key))).length },
  TYPE: { arity: 2, run: (db, [, key]) => new Status(db.type(text(key!)) ?? "none") },
  EXPIRE: expire(EXPIRY.EXPIRE!),
  PEXPIRE: expire(EXPIRY.PEXPIRE!),
  EXPIREAT: expire(EXPIRY.EXPIREAT!),
  PEXPIREAT: expire(EXPIRY.PEXPIREAT!),
  TTL: { arity: 2, run: (db, [, key]) => ttl(db, text(key!), 1000) },
  PTTL: { arity: 2, run: (db, [, key]) => ttl(db, text(key!), 1) },
  PERSIST: {
    arity: 2,
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
  FLUSHDB: { arity: -1, run: (db) => (db.clear(), OK) },
  FLUSHALL: { arity: -1, run: (db) => (db.clear(), OK) },
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
